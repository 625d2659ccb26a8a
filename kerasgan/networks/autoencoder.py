"""A convolutional autoencoder discriminator (EBGAN, Zhao et al. 2016, arXiv:1609.03126).

The encoder mirrors the DCGAN discriminator and ends in an embedding; the decoder mirrors
the DCGAN generator with a linear output, so the reconstruction error is unbounded.
"""
import keras
from keras import layers

from kerasgan.networks.dcgan import KERNEL_SIZE, upsampling_blocks


def build_autoencoder(image_shape, filters=64, embedding_dim=128, name="discriminator"):
    """image -> [reconstruction, embedding]; the energy is the reconstruction's error."""
    blocks = upsampling_blocks(image_shape)
    height, width, channels = image_shape
    start_h, start_w = height // 2**blocks, width // 2**blocks
    images = keras.Input(tuple(image_shape), name="images")
    x = layers.Conv2D(filters, KERNEL_SIZE, strides=2, padding="same")(images)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    for block in range(1, blocks):
        x = layers.Conv2D(filters * 2**block, KERNEL_SIZE, strides=2, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    embedding = layers.Dense(embedding_dim, dtype="float32", name="embedding")(layers.Flatten()(x))
    x = layers.Dense(start_h * start_w * filters * 2 ** (blocks - 1), use_bias=False)(embedding)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((start_h, start_w, filters * 2 ** (blocks - 1)))(x)
    for block in reversed(range(blocks - 1)):
        x = layers.Conv2DTranspose(filters * 2**block, KERNEL_SIZE, strides=2, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    reconstruction = layers.Conv2DTranspose(
        channels, KERNEL_SIZE, strides=2, padding="same", dtype="float32", name="reconstruction"
    )(x)
    return keras.Model(images, [reconstruction, embedding], name=name)
