"""SNGAN's ResNet generator and discriminator (Miyato et al. 2018, arXiv:1802.05957, appendix B.4, the
CIFAR-10 networks), sized from the image shape.

Generator: z -> dense to a start map of 4 to 7 pixels -> residual blocks that double the map (batch
norm, ReLU, nearest-neighbour upsampling, two 3x3 convolutions; a 1x1 convolution on the upsampled
shortcut) -> batch norm, ReLU, 3x3 convolution, tanh. Discriminator: residual blocks with spectral
normalization on every weight layer (the first block "optimized": convolution before the ReLU), 2x2
average pooling in the blocks that halve the map, two blocks at the last size, ReLU, global sum
pooling, a spectrally normalized dense logit.
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2D
from kerasgan.layers import NearestUpsampling2D, batch_norm
from kerasgan.networks import dcgan


def _spectral(layer):
    return layers.SpectralNormalization(layer)


def generator_block(x, filters):
    """BN, ReLU, upsample x2, conv 3x3, BN, ReLU, conv 3x3; plus the upsampled input through a 1x1 convolution."""
    shortcut = Conv2D(filters, 1)(NearestUpsampling2D()(x))
    h = NearestUpsampling2D()(layers.ReLU()(batch_norm()(x)))
    h = Conv2D(filters, 3, padding="same")(h)
    h = Conv2D(filters, 3, padding="same")(layers.ReLU()(batch_norm()(h)))
    return layers.Add()([h, shortcut])


def discriminator_block(x, filters, downsample, first=False):
    """(ReLU,) SN conv 3x3, ReLU, SN conv 3x3 (, average pool 2x2); plus the shortcut, through an SN 1x1
    convolution (and the pool) where the shape changes. `first`: no ReLU before the first convolution."""
    h = x if first else layers.ReLU()(x)
    h = _spectral(Conv2D(filters, 3, padding="same"))(h)
    h = _spectral(Conv2D(filters, 3, padding="same"))(layers.ReLU()(h))
    shortcut = x
    if first:  # the optimized block pools before its 1x1 convolution
        shortcut = _spectral(Conv2D(filters, 1))(layers.AveragePooling2D(2)(x))
    elif downsample or x.shape[-1] != filters:
        shortcut = _spectral(Conv2D(filters, 1))(x)
        shortcut = layers.AveragePooling2D(2)(shortcut) if downsample else shortcut
    if downsample:
        h = layers.AveragePooling2D(2)(h)
    return layers.Add()([h, shortcut])


def build_generator(image_shape, latent_dim=128, filters=256, name="generator"):
    """z -> dense -> start map -> `blocks` generator blocks of `filters` -> BN, ReLU, conv 3x3, tanh."""
    blocks = dcgan.upsampling_blocks(image_shape)
    height, width, channels = image_shape
    start_h, start_w = height // 2**blocks, width // 2**blocks
    z = keras.Input((latent_dim,), name="z")
    x = layers.Reshape((start_h, start_w, filters))(layers.Dense(start_h * start_w * filters)(z))
    for _ in range(blocks):
        x = generator_block(x, filters)
    x = Conv2D(channels, 3, padding="same")(layers.ReLU()(batch_norm()(x)))
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name=name)


def build_discriminator(image_shape, filters=128, name="discriminator"):
    """image -> blocks halving the map down to twice the generator's start map (once at least) -> two blocks at
    that size -> ReLU -> global sum pooling -> SN dense logit."""
    halvings = max(dcgan.upsampling_blocks(image_shape) - 1, 1)
    images = keras.Input(tuple(image_shape), name="images")
    x = discriminator_block(images, filters, downsample=True, first=True)
    for _ in range(halvings - 1):
        x = discriminator_block(x, filters, downsample=True)
    for _ in range(2):
        x = discriminator_block(x, filters, downsample=False)
    x = layers.ReLU()(x)
    x = layers.Rescaling(float(x.shape[1] * x.shape[2]))(layers.GlobalAveragePooling2D()(x))  # the sum over positions
    logits = _spectral(layers.Dense(1, dtype="float32"))(x)
    return keras.Model(images, layers.Activation("linear", dtype="float32", name="logits")(logits), name=name)
