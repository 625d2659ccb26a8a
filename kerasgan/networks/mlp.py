"""Multilayer perceptrons for GANs on low-dimensional data (Goodfellow et al. 2014, arXiv:1406.2661).

Used for the 2-D Gaussian mixtures of PacGAN (Lin et al. 2018, arXiv:1712.04086), whose
networks are MLPs of a few 400-512 unit ReLU layers.
"""
import keras
from keras import layers


def _check(name, value):
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def build_generator(data_dim=2, latent_dim=2, units=512, depth=3, name="generator"):
    """z -> (Dense, ReLU) x depth -> Dense(data_dim), a linear output."""
    for key, value in (("data_dim", data_dim), ("latent_dim", latent_dim), ("units", units), ("depth", depth)):
        _check(key, value)
    z = keras.Input((latent_dim,), name="z")
    x = z
    for _ in range(depth):
        x = layers.Dense(units, activation="relu")(x)
    samples = layers.Dense(data_dim, dtype="float32", name="samples")(x)
    return keras.Model(z, samples, name=name)


def build_discriminator(data_dim=2, units=512, depth=3, name="discriminator"):
    """x -> (Dense, ReLU) x depth -> Dense(1) logit."""
    for key, value in (("data_dim", data_dim), ("units", units), ("depth", depth)):
        _check(key, value)
    samples = keras.Input((data_dim,), name="samples")
    x = samples
    for _ in range(depth):
        x = layers.Dense(units, activation="relu")(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(samples, logits, name=name)
