"""The VAE's encoder: the DCGAN discriminator's convolutions ending in the mean and log variance of q(z | x).

The decoder is the DCGAN generator (kerasgan.networks.dcgan.build_generator), so samples, exports and
scores read the same as a GAN's.
"""
import keras
from keras import layers

from kerasgan.layers import batch_norm
from kerasgan.networks import dcgan


def build_encoder(image_shape, latent_dim=100, filters=64, dense_units=0, name="encoder"):
    """image -> Conv, LeakyReLU -> (Conv, BN, LeakyReLU) x (blocks - 1) -> [mean, log variance] of q(z | x).

    A diagonal Gaussian posterior (Kingma & Welling 2014, arXiv:1312.6114, appendix C.2). `dense_units` > 0
    puts a hidden Dense, BN, LeakyReLU layer of that width before the two heads (InfoGAN's FC 1024, the
    encoder of Lucic et al. 2018's VAE).
    """
    dcgan.upsampling_blocks(image_shape)  # a clear error for shapes this architecture cannot take
    images = keras.Input(tuple(image_shape), name="images")
    x = layers.Flatten()(dcgan.downsample(images, image_shape, filters))
    if dense_units:
        x = layers.LeakyReLU(negative_slope=0.2)(batch_norm()(layers.Dense(dcgan.checked_units(dense_units), use_bias=False)(x)))
    mean = layers.Dense(latent_dim, dtype="float32", name="mean")(x)
    log_variance = layers.Dense(latent_dim, dtype="float32", name="log_variance")(x)
    return keras.Model(images, [mean, log_variance], name=name)
