"""SRGAN's networks (Ledig et al. 2017, arXiv:1609.04802) and its content network, sized by arguments.

Generator (SRResNet): a 9x9 convolution and PReLU; `residual_blocks` blocks of (3x3 convolution, BN, PReLU, 3x3
convolution, BN) plus their input; a 3x3 convolution and BN plus the first layer's output; one (3x3 convolution
to 4x the channels, 2x sub-pixel shuffle, PReLU) per doubling; a 9x9 convolution to the image's channels, tanh.
With `bilinear_skip`, the last convolution's output is added to the input upsampled bilinearly and clipped to
[-1, 1] instead (global residual learning, Kim et al. 2016, "Accurate Image Super-Resolution Using Very Deep
Convolutional Networks", arXiv:1511.04587, with bilinear for their bicubic: TFLite's builtins resize bilinearly
only): G starts near the interpolation and learns the detail it lacks.
Discriminator: a 3x3 convolution and LeakyReLU(0.2); seven blocks of (3x3 convolution, BN, LeakyReLU) with
strides 2, 1, 2, 1, 2, 1, 2 and filters doubling every second block (64 to 512 at filters=64); a dense layer of
16 x filters (1024), LeakyReLU, a dense logit.
"""
import math

import keras
from keras import layers

from kerasgan.convolutions import Conv2D
from kerasgan.layers import PixelShuffle, batch_norm

KERNEL_SIZE = 3
OUTER_KERNEL_SIZE = 9


def _prelu():
    return layers.PReLU(shared_axes=[1, 2])  # one slope per channel, as the paper's PReLU


def residual_block(x, filters):
    """conv 3x3, BN, PReLU, conv 3x3, BN, plus the block's input (no bias before a BN, which would remove it)."""
    h = _prelu()(batch_norm()(Conv2D(filters, KERNEL_SIZE, padding="same", use_bias=False)(x)))
    h = batch_norm()(Conv2D(filters, KERNEL_SIZE, padding="same", use_bias=False)(h))
    return layers.Add()([x, h])


def check_factor(factor):
    """Raises ValueError unless `factor` is a power of 2 from 2 (the paper's is 4)."""
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 2 or factor & (factor - 1):
        raise ValueError(f"upscale_factor must be a power of 2 (2, 4, 8, ...), got {factor!r}")
    return factor


def build_generator(input_shape, factor=4, filters=64, residual_blocks=16, bilinear_skip=False, name="srresnet"):
    """Low-resolution images (h, w, c) in [-1, 1] -> (factor*h, factor*w, c) in [-1, 1]."""
    check_factor(factor)
    if isinstance(residual_blocks, bool) or not isinstance(residual_blocks, int) or residual_blocks < 1:
        raise ValueError(f"residual_blocks must be an integer >= 1, got {residual_blocks!r}")
    images = keras.Input(tuple(input_shape), name="images")
    first = _prelu()(Conv2D(filters, OUTER_KERNEL_SIZE, padding="same")(images))
    x = first
    for _ in range(residual_blocks):
        x = residual_block(x, filters)
    x = layers.Add()([first, batch_norm()(Conv2D(filters, KERNEL_SIZE, padding="same", use_bias=False)(x))])
    for _ in range(int(math.log2(factor))):
        x = _prelu()(PixelShuffle(2)(Conv2D(4 * filters, KERNEL_SIZE, padding="same")(x)))
    x = Conv2D(input_shape[-1], OUTER_KERNEL_SIZE, padding="same")(x)
    if bilinear_skip:
        upsampled = layers.UpSampling2D(factor, interpolation="bilinear", dtype="float32", name="bilinear")(images)
        x = layers.Add(dtype="float32")([upsampled, x])
    upscaled = layers.Activation("hard_tanh" if bilinear_skip else "tanh", dtype="float32", name="upscaled")(x)
    return keras.Model(images, upscaled, name=name)


def build_discriminator(image_shape, filters=64, name="discriminator"):
    """High-resolution images -> one logit each; the strided blocks shrink the map 16 times."""
    images = keras.Input(tuple(image_shape), name="images")
    x = layers.LeakyReLU(negative_slope=0.2)(Conv2D(filters, KERNEL_SIZE, padding="same")(images))
    for block, stride in enumerate((2, 1, 2, 1, 2, 1, 2)):
        x = Conv2D(filters * 2 ** ((block + 1) // 2), KERNEL_SIZE, strides=stride, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(batch_norm()(x))
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(16 * filters)(layers.Flatten()(x)))
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)


CONTENT_LAYERS = ("conv", "conv_1", "conv_2")  # the FID Inception's first three convolutions, 64 channels out


def build_content_network(channels):
    """Images (H, W, `channels`) in [-1, 1] -> the feature maps of the FID Inception's first three convolutions,
    frozen: the content loss's network in place of the paper's VGG19, which no installed package ships.

    The Inception's input scaling, (x + 1) * 127.5 then (x - 128) / 128, is applied without its resize to
    299x299, so a 64x64 image gives 29x29 maps of 64 features.
    """
    from kerasgan.metrics import inception

    network = inception.fid_inception(precision="float32")
    images = keras.Input((None, None, channels), name="images")
    x = layers.Rescaling(127.5 / 128.0, offset=-0.5 / 128.0, dtype="float32")(images)
    if channels == 1:
        x = layers.Concatenate(dtype="float32")([x, x, x])
    for name in CONTENT_LAYERS:
        x = network.get_layer(name)(x)
    content = keras.Model(images, x, name="content_network")
    content.trainable = False
    return content
