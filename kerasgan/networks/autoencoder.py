"""A convolutional autoencoder discriminator (EBGAN, Zhao et al. 2016, arXiv:1609.03126).

The encoder mirrors the DCGAN discriminator and ends in an embedding; the decoder mirrors
the DCGAN generator with a linear output, so the reconstruction error is unbounded.
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2DTranspose
from kerasgan.networks.dcgan import KERNEL_SIZE, downsample, upsample


def build_autoencoder(image_shape, filters=64, embedding_dim=128, name="discriminator"):
    """image -> [reconstruction, embedding]; the energy is the reconstruction's error."""
    images = keras.Input(tuple(image_shape), name="images")
    encoded = layers.Flatten()(downsample(images, image_shape, filters))
    embedding = layers.Dense(embedding_dim, dtype="float32", name="embedding")(encoded)
    x = upsample(embedding, image_shape, filters)
    reconstruction = Conv2DTranspose(
        image_shape[-1], KERNEL_SIZE, strides=2, padding="same", dtype="float32", name="reconstruction"
    )(x)
    return keras.Model(images, [reconstruction, embedding], name=name)
