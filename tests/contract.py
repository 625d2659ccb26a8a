"""The shared contract every zoo model passes (see docs/develop.md).

A later model joins by adding a `Case` to `CASES`: a factory with tiny kwargs, a tiny
batch, its pinned parameter count, and how many optimizer updates one step makes.
"""
import dataclasses
import functools
from typing import Callable

import numpy as np
import keras
import tensorflow as tf

from kerasgan import export
from kerasgan.zoo import CGAN, DANN, DCGAN, EBGAN, GAN, WGAN, CycleGAN, EnsembleGAN, Pix2Pix


@dataclasses.dataclass
class Case:
    name: str
    make: Callable[[], keras.Model]
    batch: Callable[[], np.ndarray]
    params: int
    # optimizer attribute -> (network attribute(s) it updates, updates per train step)
    updates: dict
    # The same model without Keras layers that draw their own per-replica noise (Dropout),
    # for the single-device vs MirroredStrategy equivalence check; None: `make` has none.
    make_deterministic: Callable[[], keras.Model] = None


def _images(shape, count=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count,) + shape).astype("float32")


def _pair(first, second, count=8):
    return _images(first, count, seed=0), _images(second, count, seed=1)


def _domains(shape, num_classes, count=8):
    """((source_x, target_x), source_y): DANN's batch."""
    return (_images(shape, count, seed=0), _images(shape, count, seed=1)), (np.arange(count) % num_classes).astype("int32")


def _labelled(shape, num_classes, count=8):
    return _images(shape, count), (np.arange(count) % num_classes).astype("int32")


ONE_EACH = {"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 1)}


CASES = [
    Case(
        name="dcgan",
        make=lambda: DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1),
        batch=lambda: _images((16, 16, 1)),
        params=7786,  # G: 2048 + BN 1024 + 2048 + BN 32 + 129; D: 136 + 2048 + BN 64 + 257
        updates=ONE_EACH,
    ),
    Case(
        name="dcgan_rgb_k2",
        make=lambda: DCGAN(image_shape=(8, 8, 3), latent_dim=4, filters=4, discriminator_steps=2, seed=1),
        batch=lambda: _images((8, 8, 3)),
        params=968,  # G: 256 + BN 256 + 195; D: 196 + 65
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
    ),
    Case(
        name="gan_mlp",
        make=lambda: GAN(data_dim=2, latent_dim=2, units=8, depth=1, seed=1),
        batch=lambda: np.random.default_rng(0).normal(size=(8, 2)).astype("float32"),
        params=75,  # G: 24 + 18; D: 24 + 9
        updates=ONE_EACH,
    ),
    Case(
        name="gan_mlp_unrolled",
        make=lambda: GAN(data_dim=2, latent_dim=2, units=8, depth=1, unrolled_steps=2, seed=1),
        batch=lambda: np.random.default_rng(0).normal(size=(8, 2)).astype("float32"),
        params=75,  # gan_mlp's networks: the unrolled copies of D are not variables
        updates=ONE_EACH,  # the unrolled steps do not update D
    ),
    Case(
        name="ensemble_gan_mlp",
        make=lambda: EnsembleGAN(data_dim=2, latent_dim=2, units=8, depth=1, num_discriminators=3, seed=1),
        batch=lambda: np.random.default_rng(0).normal(size=(8, 2)).astype("float32"),
        params=141,  # G: 24 + 18; 3 D: 3 x (24 + 9)
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminators", 1)},
    ),
    Case(
        name="cgan",
        make=lambda: CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, seed=1),
        batch=lambda: _labelled((16, 16, 1), 3),
        params=21632,  # G: emb 150 + 14848 + BN 1024 + 2048 + BN 32 + 129; D: emb 768 + 264 + 2048 + BN 64 + 257
        updates=ONE_EACH,
    ),
    Case(
        name="wgan_gp",
        make=lambda: WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, critic_steps=3, seed=1),
        batch=lambda: _images((16, 16, 1)),
        params=8249,  # G: 5281 as DCGAN; critic: 136 + 2064 + LayerNorm 512 + 256 (no logit bias)
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 3)},
    ),
    Case(
        name="wgan_clip",
        make=lambda: WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, penalty="clip", critic_steps=2, seed=1),
        batch=lambda: _images((16, 16, 1)),
        params=8249,  # the same networks as wgan_gp
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
    ),
    Case(
        name="ebgan",
        make=lambda: EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, embedding_dim=8, seed=1),
        batch=lambda: _images((16, 16, 1)),
        params=14866,  # G: 5281; AE: 136 + 2048 + BN 64 + 2056 | 2048 + BN 1024 + 2048 + BN 32 + 129
        updates=ONE_EACH,
    ),
    Case(
        name="pix2pix",
        make=lambda: Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1),
        batch=lambda: _pair((16, 16, 1), (16, 16, 3)),
        params=25692,  # U-Net of depth 4: 24759; conditional PatchGAN with 1 stride-2 block: 933
        updates=ONE_EACH,
        make_deterministic=lambda: Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, dropout=0.0, seed=1),
    ),
    Case(
        name="cyclegan",
        make=lambda: CycleGAN(image_shape=(16, 16, 3), filters=4, residual_blocks=1, pool_size=4, seed=1),
        batch=lambda: _pair((16, 16, 3), (16, 16, 3)),
        params=25154,  # 2 ResNet generators 8667; 2 PatchGANs 837; 2 pools of 4 images 3072 + count 1
        updates={
            "generator_optimizer": (("generator_ab", "generator_ba"), 1),
            "discriminator_optimizer": (("discriminator_a", "discriminator_b"), 1),
        },
    ),
    Case(
        name="dann_vectors",
        make=lambda: DANN(input_shape=(2,), num_classes=2, seed=1),
        batch=lambda: _domains((2,), 2),
        params=18156,  # g: 96 + 1056; h: 3300 + 10100 + 202; d: 3300 + 101; the reversal strength 1
        updates={"generator_optimizer": (("feature_extractor", "label_head"), 1), "discriminator_optimizer": ("domain_head", 1)},
    ),
    Case(
        name="dann_images",
        make=lambda: DANN(input_shape=(8, 8, 3), num_classes=3, seed=1),
        batch=lambda: _domains((8, 8, 3), 3),
        params=89985,  # g: conv 2432 + 38448; h: 19300 + 10100 + 303; d: 19300 + 101; the reversal strength 1
        updates={"generator_optimizer": (("feature_extractor", "label_head"), 1), "discriminator_optimizer": ("domain_head", 1)},
    ),
]


def generator_outputs(model, inputs):
    """What serving_default returns for `inputs` (any zoo model, conditional or not)."""
    function, _ = model.serving_endpoints()["serving_default"]
    return {name: np.asarray(value) for name, value in function(**inputs).items()}


def weights_of(network):
    """The trainable weights of a network, or of a list of them (EnsembleGAN's discriminators)."""
    networks = network if isinstance(network, (list, tuple)) else [network]
    return [np.array(v) for one in networks for v in one.trainable_variables]


def iterations(model, optimizer):
    """How many updates the optimizer attribute `optimizer` of `model` has made."""
    return int(keras.ops.convert_to_numpy(getattr(model, optimizer).iterations))


def fit_steps(model, batch, steps):
    """Fits `steps` steps of one batch each; returns the History."""
    dataset = tf.data.Dataset.from_tensors(batch).repeat(steps)
    return model.fit(dataset, epochs=1, verbose=0, shuffle=False)


def check_builds(case):
    model = case.make()
    outputs = generator_outputs(model, model.serving_examples(3))
    assert next(iter(outputs.values())).shape == (3,) + model.sample_shape
    assert model.count_params() == case.params, f"{case.name}: {model.count_params()} parameters"


def check_config_round_trip(case):
    model = case.make()
    config = model.get_config()
    restored = type(model).from_config(config)
    assert restored.get_config() == config


def _networks(names):
    return (names,) if isinstance(names, str) else names


def _count_traces(model):
    """A list that grows by one each time `fit` traces the model's train_step (Python runs only while tracing)."""
    traced, train_step = [], model.train_step
    model.train_step = lambda data: traced.append(1) or train_step(data)
    return traced


def check_fit_updates_every_network(case, steps=2):
    """Every network changes, as many optimizer updates as the case says, and the step is traced once."""
    model = case.make()
    model.compile()
    names = [name for networks, _ in case.updates.values() for name in _networks(networks)]
    before = {network: weights_of(getattr(model, network)) for network in names}
    traced = _count_traces(model)
    history = fit_steps(model, case.batch(), steps)
    assert len(traced) == 1, f"{case.name}: train_step traced {len(traced)} times in {steps} steps"
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), f"{case.name}: {name} = {history.history[name]}"
    for optimizer, (networks, per_step) in case.updates.items():
        for network in _networks(networks):
            after = weights_of(getattr(model, network))
            changed = [not np.array_equal(a, b) for a, b in zip(before[network], after)]
            assert all(changed), f"{case.name}: {network} variables unchanged: {changed}"
        assert iterations(model, optimizer) == steps * per_step


def check_keras_round_trip(case, tmp_path):
    model = case.make()
    model.compile()
    fit_steps(model, case.batch(), 1)
    path = str(tmp_path / f"{case.name}.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    inputs = model.serving_examples(4, seed=3)
    for name, value in generator_outputs(model, inputs).items():
        np.testing.assert_allclose(generator_outputs(restored, inputs)[name], value, atol=1e-6)
    for optimizer in case.updates:
        assert iterations(restored, optimizer) == iterations(model, optimizer)
        for saved, loaded in zip(getattr(model, optimizer).variables, getattr(restored, optimizer).variables):
            np.testing.assert_allclose(np.array(loaded), np.array(saved))
    fit_steps(restored, case.batch(), 1)
    for optimizer, (_, per_step) in case.updates.items():
        assert iterations(restored, optimizer) == 2 * per_step


def check_saved_model_export(case, tmp_path):
    model = case.make()
    path = export.saved_model(model, str(tmp_path / case.name))
    assert path.endswith("/1")
    loaded = tf.saved_model.load(path)
    endpoints = model.serving_endpoints()
    assert set(loaded.signatures) == set(endpoints)
    inputs = model.serving_examples(3, seed=5)
    function, _ = endpoints["serving_default"]
    outputs = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in inputs.items()})
    for name, expected in function(**inputs).items():
        np.testing.assert_allclose(outputs[name].numpy(), np.asarray(expected), atol=1e-5)


def check_tflite_export(case, tmp_path):
    model = case.make()
    path = export.tflite(model, str(tmp_path / f"{case.name}.tflite"))
    assert export.tflite_parity(model, path)["max_abs_error"] <= 1e-4


@functools.cache
def two_cpu_strategy():
    """One MirroredStrategy over the two logical CPUs for the whole session.

    A second MirroredStrategy in one process reuses the first one's collective instance
    keys, and its all-reduces then fail with "Shape mismatch in the collective instance".
    """
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def check_mirrored_step(case):
    strategy = two_cpu_strategy()
    with strategy.scope():
        model = case.make()
        model.compile()
    history = fit_steps(model, case.batch(), 1)
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name]))
    for optimizer, (_, per_step) in case.updates.items():
        assert iterations(model, optimizer) == per_step


def check_mirrored_equivalence(case, learning_rate=0.1):
    """One step on a global batch under MirroredStrategy over two CPUs gives the weights and
    logged metrics of one step on one device, with the same batch, weights and noise.

    Plain SGD, because Adam's first step, m / sqrt(v), would hide a loss scaled by the
    number of replicas; gradients are summed across replicas, so that is what this checks.
    """
    make = case.make_deterministic or case.make
    sgd = lambda: dict(  # noqa: E731
        generator_optimizer=keras.optimizers.SGD(learning_rate), discriminator_optimizer=keras.optimizers.SGD(learning_rate)
    )
    single = make()
    single.compile(**sgd(), jit_compile=False)  # as under the strategy: XLA draws other random numbers
    with two_cpu_strategy().scope():
        mirrored = make()
        mirrored.compile(**sgd(), jit_compile=False)
    mirrored.set_weights(single.get_weights())
    before = [np.array(v) for v in single.weights]
    logged = {name: fit_steps(model, case.batch(), 1).history for name, model in (("single", single), ("mirrored", mirrored))}
    for name in single.metric_names:
        # atol 1e-5: WGAN-clip's losses are ~1e-4 (clipped critic); a mis-scaled loss would be off by 2x.
        np.testing.assert_allclose(
            logged["mirrored"][name], logged["single"][name], rtol=1e-4, atol=1e-5, err_msg=f"{case.name}: {name}"
        )
    for start, one, two in zip(before, single.weights, mirrored.weights):
        step_one, step_two = np.array(one) - start, np.array(two) - start
        scale = max(float(np.abs(step_one).max(initial=0.0)), 1e-6)
        # A step is read as a difference of float32 weights: it is known to a few ulps of the weight
        # (WGAN-clip's generator steps, ~1e-7, are within 2 ulps of each other under a summation order change).
        resolution = 4 * float(np.spacing(np.abs(start).max(initial=0.0).astype("float32")))
        np.testing.assert_allclose(
            step_two, step_one, rtol=0, atol=max(1e-3 * scale, resolution), err_msg=f"{case.name}: {one.path}"
        )


def check_traced_once(case, jit_compile, epochs=2, steps=3):
    """`fit` traces the whole multi-optimizer step once (XLA-compiled when `jit_compile`), not once per step."""
    model = case.make()
    model.compile(jit_compile=jit_compile)
    traced = _count_traces(model)
    dataset = tf.data.Dataset.from_tensors(case.batch()).repeat(steps)
    history = model.fit(dataset, epochs=epochs, verbose=0, shuffle=False)
    assert len(traced) == 1, f"{case.name}: train_step traced {len(traced)} times in {epochs * steps} steps"
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), f"{case.name}: {name} = {history.history[name]}"
    for optimizer, (_, per_step) in case.updates.items():
        assert iterations(model, optimizer) == epochs * steps * per_step


def check_mixed_precision_step(case, policy):
    """Under a mixed policy: float32 outputs and logits, loss scaling under float16, finite metrics."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = case.make()
        model.compile()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    for network in model.generator_networks() + model.discriminator_networks():
        for output in network.outputs:
            assert output.dtype == "float32", f"{case.name}: {network.name} outputs {output.dtype}"
    for optimizer in case.updates:
        scaled = isinstance(getattr(model, optimizer), keras.optimizers.LossScaleOptimizer)
        assert scaled == (policy == "mixed_float16"), f"{case.name}: {optimizer} under {policy}"
    history = fit_steps(model, case.batch(), 2)
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), f"{case.name}: {name} = {history.history[name]}"
