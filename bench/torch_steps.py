"""PyTorch twins of the hand-written Keras reference train steps (bench/reference_steps.py), for bench/throughput.py.

    python bench/torch_steps.py --config=wgan_gp_reference --compiled --steps=60 --warmup=10

prints one line `TORCH_ROW {json}` with the timing summary of bench/throughput.py (median_ms, p25_ms,
p75_ms, timed_steps, images_per_s, first_step_s) plus the configuration and torch version.

The networks have the reference's layers, kernel sizes, strides, channels and activations, indexed
NCHW as usual in torch (stored channels_last, see CHANNELS_LAST). Keras "same" padding with kernel 4
and stride 2 on even sizes pads one pixel on each side, so Conv2d(4, 2, padding=1) halves H and W and
ConvTranspose2d(4, 2, padding=1) doubles them, as in Keras (tests/test_torch_steps.py checks the shapes).
Batch norm uses Keras's defaults (momentum 0.99, i.e. torch momentum 0.01, eps 1e-3), Adam Keras's epsilon 1e-7.
The initialisers are torch's own: only the speed is compared.

Gradients are taken with torch.autograd.grad with respect to the updated network only, as the
Keras steps' tape.gradient does (no weight gradients of the other network are computed), and the
images fed to the critic/discriminator step are generated without a graph, as outside the Keras tape.

This module reads the configurations (batch size, latent size, image shape, critic steps) from
bench/reference_steps.py's source rather than importing it, so that the torch process does not load TensorFlow.
"""
import argparse
import ast
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from step_timing import summary
from torch import nn

CONFIGS = ("wgan_gp_reference", "dcgan_reference")
ROW_PREFIX = "TORCH_ROW "
# Networks and batch in channels_last memory format (the tensors stay NCHW-indexed): on the shared 2-core CPU,
# one thread, it was 4-7% faster than the contiguous NCHW format on dcgan_reference (eager and compiled) and
# within noise on wgan_gp_reference.
CHANNELS_LAST = True


def reference_config(name):
    """The `WGAN_GP` or `DCGAN` dict of bench/reference_steps.py, read from its source."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_steps.py")
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(f"{name} is not defined in {path}")


def wgan_gp_networks(config):
    """The WGAN-GP reference networks as torch modules: (generator, critic).

    Args:
        config: the `WGAN_GP` dict (latent_dim, image_shape as (H, W, C)).
    """
    generator = nn.Sequential(
        nn.Linear(config["latent_dim"], 7 * 7 * 32), nn.ReLU(),
        nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1), nn.Tanh(),
    )
    critic = nn.Sequential(
        nn.Conv2d(config["image_shape"][-1], 16, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(16, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(7 * 7 * 32, 1),
    )
    return generator, critic


def _batch_norm(features, dims=2):
    """Batch norm with Keras's defaults (moving averages kept at 0.99, epsilon 1e-3)."""
    return (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(features, eps=1e-3, momentum=0.01)


def dcgan_networks(config):
    """The DCGAN reference networks as torch modules: (generator, discriminator), no bias before batch norm.

    Args:
        config: the `DCGAN` dict (latent_dim, image_shape as (H, W, C)).
    """
    generator = nn.Sequential(
        nn.Linear(config["latent_dim"], 4 * 4 * 256, bias=False), _batch_norm(4 * 4 * 256, dims=1), nn.ReLU(),
        nn.Unflatten(1, (256, 4, 4)),
        nn.ConvTranspose2d(256, 128, 4, stride=2, padding=1, bias=False), _batch_norm(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False), _batch_norm(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(config["image_shape"][-1], 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, stride=2, padding=1, bias=False), _batch_norm(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 256, 4, stride=2, padding=1, bias=False), _batch_norm(256), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(4 * 4 * 256, 1),
    )
    return generator, discriminator


def _update(optimizer, loss, params):
    """One optimizer step on the gradients of `loss` with respect to `params` only."""
    for param, grad in zip(params, torch.autograd.grad(loss, params)):
        param.grad = grad
    optimizer.step()


def wgan_gp_step(generator, critic, latent_dim, critic_steps=2, gp_weight=10.0):
    """The WGAN-GP train step (Gulrajani et al. 2017, arXiv:1704.00028) as in the keras.io example.

    Args:
        generator, critic: the networks (in training mode).
        latent_dim: size of the normal noise fed to the generator.
        critic_steps: critic updates before each generator update.
        gp_weight: weight of the gradient penalty.

    Returns:
        train_step(real_images) -> (d_loss, g_loss), two scalar tensors.
    """
    c_params, g_params = list(critic.parameters()), list(generator.parameters())
    c_optimizer = torch.optim.Adam(c_params, lr=1e-4, betas=(0.5, 0.9), eps=1e-7)
    g_optimizer = torch.optim.Adam(g_params, lr=1e-4, betas=(0.5, 0.9), eps=1e-7)

    # AOTAutograd has no double backward, so under torch.compile the penalty stays eager.
    @torch.compiler.disable
    def gradient_penalty(real, fake):
        alpha = torch.rand(real.shape[0], 1, 1, 1)
        interpolated = (real + alpha * (fake - real)).requires_grad_(True)
        (grads,) = torch.autograd.grad(critic(interpolated).sum(), interpolated, create_graph=True)
        return ((grads.flatten(1).norm(dim=1) - 1.0) ** 2).mean()

    def train_step(real):
        batch_size = real.shape[0]
        # critic steps
        for _ in range(critic_steps):
            with torch.no_grad():
                fake = generator(torch.randn(batch_size, latent_dim))
            d_cost = critic(fake).mean() - critic(real).mean()
            d_loss = d_cost + gp_weight * gradient_penalty(real, fake)
            _update(c_optimizer, d_loss, c_params)
        # generator step
        g_loss = -critic(generator(torch.randn(batch_size, latent_dim))).mean()
        _update(g_optimizer, g_loss, g_params)
        return d_loss.detach(), g_loss.detach()

    return train_step


def dcgan_step(generator, discriminator, latent_dim):
    """The DCGAN train step (Radford et al. 2015, arXiv:1511.06434) as in the keras.io example; labels: fake 1, real 0.

    Args:
        generator, discriminator: the networks (in training mode).
        latent_dim: size of the normal noise fed to the generator.

    Returns:
        train_step(real_images) -> (d_loss, g_loss), two scalar tensors.
    """
    d_params, g_params = list(discriminator.parameters()), list(generator.parameters())
    d_optimizer = torch.optim.Adam(d_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    g_optimizer = torch.optim.Adam(g_params, lr=2e-4, betas=(0.5, 0.999), eps=1e-7)

    def train_step(real):
        batch_size = real.shape[0]
        # discriminator step: one call on the fake and real images together, noisy labels
        with torch.no_grad():
            fake = generator(torch.randn(batch_size, latent_dim))
        combined = torch.cat([fake, real])
        labels = torch.cat([torch.ones(batch_size, 1), torch.zeros(batch_size, 1)])
        labels = labels + 0.05 * torch.rand_like(labels)
        d_loss = F.binary_cross_entropy_with_logits(discriminator(combined), labels)
        _update(d_optimizer, d_loss, d_params)
        # generator step
        predictions = discriminator(generator(torch.randn(batch_size, latent_dim)))
        g_loss = F.binary_cross_entropy_with_logits(predictions, torch.zeros(batch_size, 1))
        _update(g_optimizer, g_loss, g_params)
        return d_loss.detach(), g_loss.detach()

    return train_step


def build(config_name):
    """(train_step, networks, config) for "wgan_gp_reference" or "dcgan_reference", networks in training mode."""
    if config_name == "wgan_gp_reference":
        config = reference_config("WGAN_GP")
        networks = wgan_gp_networks(config)
        step = wgan_gp_step(*networks, config["latent_dim"], critic_steps=config["critic_steps"])
    elif config_name == "dcgan_reference":
        config = reference_config("DCGAN")
        networks = dcgan_networks(config)
        step = dcgan_step(*networks, config["latent_dim"])
    else:
        raise ValueError(f"unknown config {config_name!r}; one of {', '.join(CONFIGS)}")
    memory_format = torch.channels_last if CHANNELS_LAST else torch.contiguous_format
    for network in networks:
        network.to(memory_format=memory_format).train()
    return step, networks, config


def time_torch(config, compiled, steps, warmup, threads=None):
    """Timing summary of `steps` train steps of a reference configuration in torch, as bench/throughput.py's `_summary`.

    compiled=True wraps the whole train step function in torch.compile (default mode). Compiling the modules instead
    was no faster on dcgan_reference, and for WGAN-GP would need an eager critic for the gradient penalty, which stays
    eager here (AOTAutograd has no double backward). torch.autograd.grad breaks the graph, so what gets compiled are
    the forward passes and the Adam updates.

    Args:
        config: "wgan_gp_reference" or "dcgan_reference".
        compiled: torch.compile the step (True) or run it eagerly (False).
        steps: train steps, warm-up included.
        warmup: step intervals dropped at the start (the first one includes compilation).
        threads: intra-op threads; by default the CPUs this process may run on.

    Returns:
        dict of median_ms, p25_ms, p75_ms, timed_steps, images_per_s, first_step_s.
    """
    if steps <= warmup:
        raise ValueError(f"steps ({steps}) must exceed warmup ({warmup})")
    torch.set_num_threads(threads or len(os.sched_getaffinity(0)))
    torch.manual_seed(0)
    step, _, settings = build(config)
    if compiled:
        step = torch.compile(step)
    height, width, channels = settings["image_shape"]
    real = torch.rand(settings["batch_size"], channels, height, width) * 2.0 - 1.0
    if CHANNELS_LAST:
        real = real.contiguous(memory_format=torch.channels_last)
    times = [time.perf_counter()]
    for _ in range(steps):
        d_loss, g_loss = step(real)
        d_loss.item(), g_loss.item()  # the step is finished once its losses are read
        times.append(time.perf_counter())
    intervals = np.diff(times)
    return summary(list(intervals[warmup:]), intervals[0], settings["batch_size"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=CONFIGS, required=True)
    parser.add_argument("--compiled", action="store_true", help="torch.compile the train step.")
    parser.add_argument("--steps", type=int, default=60, help="Train steps, warm-up included.")
    parser.add_argument("--warmup", type=int, default=10, help="Step intervals dropped at the start.")
    parser.add_argument("--threads", type=int, default=None, help="Intra-op threads (default: the CPUs available).")
    args = parser.parse_args()
    row = {"config": args.config, "compiled": args.compiled, "torch_version": torch.__version__}
    row.update(time_torch(args.config, args.compiled, args.steps, args.warmup, args.threads))
    row["threads"] = torch.get_num_threads()
    print(ROW_PREFIX + json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
