"""bench/torch_steps.py: the PyTorch twins of the reference steps run, and their networks have the Keras networks' shapes."""
import math
import os
import sys

import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
import reference_steps  # noqa: E402
import torch_steps  # noqa: E402

NETWORKS = [
    ("WGAN_GP", reference_steps.wgan_gp_networks, torch_steps.wgan_gp_networks),
    ("DCGAN", reference_steps.dcgan_networks, torch_steps.dcgan_networks),
]
KEYS = {"median_ms", "p25_ms", "p75_ms", "timed_steps", "images_per_s", "first_step_s"}


@pytest.mark.parametrize("config", torch_steps.CONFIGS)
def test_an_eager_step_runs_and_gives_finite_positive_timings(config):
    summary = torch_steps.time_torch(config, compiled=False, steps=2, warmup=1, threads=1)
    assert set(summary) == KEYS
    assert summary["timed_steps"] == 1
    for key in KEYS - {"timed_steps"}:
        assert math.isfinite(summary[key]) and summary[key] > 0, (key, summary)


def _keras_shapes(model):
    """Output shapes (without the batch) of the Dense and convolution layers, in order."""
    kinds = ("Dense", "Conv2D", "Conv2DTranspose")
    return [tuple(layer.output.shape[1:]) for layer in model.layers if type(layer).__name__ in kinds]


def _torch_shapes(module, inputs):
    """Output shapes (without the batch, channels last as in Keras) of the Linear and convolution layers, in order."""
    shapes = []

    def record(_, __, output):
        shape = tuple(output.shape[1:])
        shapes.append(shape[1:] + shape[:1] if output.dim() == 4 else shape)

    kinds = (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d)
    hooks = [m.register_forward_hook(record) for m in module.modules() if isinstance(m, kinds)]
    with torch.no_grad():
        output = module(inputs)
    for hook in hooks:
        hook.remove()
    return shapes, output


@pytest.mark.parametrize("name, keras_networks, torch_networks", NETWORKS)
def test_the_torch_networks_have_the_keras_shapes_and_sizes(name, keras_networks, torch_networks):
    config = torch_steps.reference_config(name)
    assert config == getattr(reference_steps, name)
    keras_generator, keras_critic = keras_networks()
    generator, critic = torch_networks(config)
    shapes, images = _torch_shapes(generator.train(), torch.randn(2, config["latent_dim"]))
    assert shapes == _keras_shapes(keras_generator)
    assert tuple(images.permute(0, 2, 3, 1).shape) == (2, *config["image_shape"]) == (2, *keras_generator.output_shape[1:])
    shapes, scores = _torch_shapes(critic.train(), images)
    assert shapes == _keras_shapes(keras_critic)
    assert tuple(scores.shape) == (2, 1) == (2, *keras_critic.output_shape[1:])
    for keras_network, network in [(keras_generator, generator), (keras_critic, critic)]:
        keras_size = sum(math.prod(w.shape) for w in keras_network.trainable_weights)
        assert sum(p.numel() for p in network.parameters()) == keras_size, keras_network.name
