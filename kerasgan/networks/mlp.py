"""Multilayer perceptrons for GANs on low-dimensional data (Goodfellow et al. 2014, arXiv:1406.2661).

Used for the 2-D Gaussian mixtures of PacGAN (Lin et al. 2018, arXiv:1712.04086), whose
networks are MLPs of a few 400-512 unit ReLU layers.
"""
import keras
from keras import layers

from kerasgan.layers import Maxout, batch_norm


def _check(name, value):
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_scale(data_scale):
    if isinstance(data_scale, bool) or not isinstance(data_scale, (int, float)) or not data_scale > 0:
        raise ValueError(f"data_scale must be a positive number (the data's spread, e.g. its std), got {data_scale!r}")


def build_generator(data_dim=2, latent_dim=2, units=512, depth=3, data_scale=1.0, normalize=False, name="generator"):
    """z -> (Dense, ReLU) x depth -> Dense(data_dim), a linear output, times `data_scale`.

    With `data_scale` the data's std, both networks work on unit-scale data, as the WGAN-GP
    authors' toy code does by dividing its 25-Gaussian grid by 2.828 (Gulrajani et al. 2017).
    `normalize`: batch norm between each hidden Dense (then without bias) and its ReLU, as the
    generators of PacGAN's mixture experiments.
    """
    for key, value in (("data_dim", data_dim), ("latent_dim", latent_dim), ("units", units), ("depth", depth)):
        _check(key, value)
    _check_scale(data_scale)
    z = keras.Input((latent_dim,), name="z")
    x = z
    for _ in range(depth):
        if normalize:
            x = layers.ReLU()(batch_norm()(layers.Dense(units, use_bias=False)(x)))
        else:
            x = layers.Dense(units, activation="relu")(x)
    samples = layers.Dense(data_dim, dtype="float32", name="samples")(x)
    if data_scale != 1:
        samples = layers.Rescaling(data_scale, dtype="float32", name="to_data_scale")(samples)
    return keras.Model(z, samples, name=name)


def build_discriminator(data_dim=2, units=512, depth=3, data_scale=1.0, maxout_pieces=1, name="discriminator"):
    """x / `data_scale` -> (Dense, ReLU) x depth -> Dense(1) logit; with `maxout_pieces` > 1 each hidden
    layer is a maxout of that many pieces in place of Dense and ReLU (PacGAN's mixture discriminators: 5)."""
    for key, value in (("data_dim", data_dim), ("units", units), ("depth", depth), ("maxout_pieces", maxout_pieces)):
        _check(key, value)
    _check_scale(data_scale)
    samples = keras.Input((data_dim,), name="samples")
    x = samples
    if data_scale != 1:
        x = layers.Rescaling(1.0 / data_scale, name="from_data_scale")(x)
    for _ in range(depth):
        x = Maxout(units, maxout_pieces)(x) if maxout_pieces > 1 else layers.Dense(units, activation="relu")(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(samples, logits, name=name)
