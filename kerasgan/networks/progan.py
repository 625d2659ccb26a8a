"""ProGAN's generator and discriminator (Karras et al. 2018, arXiv:1710.10196, Table 2), for square images
whose side is a power of two from 8: one block per resolution from 4x4 up, every resolution's layers held
from the start and mixed by the level (kerasgan.progressive).

Generator: z -> pixel norm -> dense to 4x4 -> conv 3x3 -> then per doubling: nearest upsampling, two 3x3
convolutions; a leaky ReLU (0.2) and a pixel norm after each; a 1x1 toRGB per resolution, each image
upsampled to the final size and mixed by the level. Discriminator: the image pooled to each resolution
through a 1x1 fromRGB, faded into the features coming down from the resolution above; per halving two 3x3
convolutions and a 2x2 average pool; at 4x4 the minibatch standard deviation, a 3x3 and a 4x4 convolution,
a linear logit without a bias. Every weight layer has the equalized learning rate.
"""
import math

import keras
from keras import layers

from kerasgan.layers import NearestUpsampling2D
from kerasgan.networks.progan_layers import SQRT_2, ClipOutsideTraining, EqualizedConv2D, EqualizedDense, MinibatchStddev, PixelNorm
from kerasgan.progressive import FadeIn, LevelMix

START = 4


def resolutions(image_shape):
    """The sides 4, 8, ..., the image's; ValueError unless the image is square with a power-of-two side >= 8."""
    height, width = image_shape[:2]
    if height != width or height < 2 * START or height & (height - 1):
        raise ValueError(
            f"ProGAN grows square images by doubling from {START}x{START}: the side must be a power of two >= {2 * START}, "
            f"got {height}x{width}; load the data resized, e.g. image_size=32 (--image_size=32)"
        )
    return [START * 2**i for i in range(int(math.log2(height // START)) + 1)]


def filters_at(side, top_side, filters, max_filters):
    """Channels at `side`: `filters` at the final side, doubling at each halving, at most `max_filters`
    (the paper's 8192 / side capped at 512)."""
    return min(filters * top_side // side, max_filters)


def _leaky(x):
    return layers.LeakyReLU(0.2)(x)


def build_generator(image_shape, latent_dim=512, filters=None, max_filters=512, growing=True, name="generator"):
    """z -> the image at every resolution -> their mix by level (LevelMix), linear outputs as the paper's (clipped
    to [-1, 1] outside training).
    `growing`=False: the final resolution's image only, the network ProGAN has once fully grown."""
    sides = resolutions(image_shape)
    top, channels = sides[-1], image_shape[-1]
    filters = filters or 8192 // top
    width = [filters_at(side, top, filters, max_filters) for side in sides]
    z = keras.Input((latent_dim,), name="z")
    x = EqualizedDense(START * START * width[0], gain=SQRT_2 / 4)(PixelNorm()(z))
    x = PixelNorm()(_leaky(layers.Reshape((START, START, width[0]))(x)))
    x = PixelNorm()(_leaky(EqualizedConv2D(width[0], 3)(x)))
    images = []
    for i, side in enumerate(sides):
        if i:
            x = NearestUpsampling2D()(x)
            for _ in range(2):
                x = PixelNorm()(_leaky(EqualizedConv2D(width[i], 3)(x)))
        if growing or side == top:
            image = EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{side}")(x)
            for _ in range(i, len(sides) - 1):
                image = NearestUpsampling2D()(image)
            images.append(image)
    mixed = LevelMix(name="level_mix")(images) if growing else images[0]
    outputs = ClipOutsideTraining(dtype="float32", name="images")(mixed)
    return keras.Model(z, outputs, name=name)


def build_discriminator(image_shape, filters=None, max_filters=512, group_size=4, growing=True, name="discriminator"):
    """image -> fromRGB at the top, faded (FadeIn) at each lower resolution with fromRGB of the pooled image
    -> the 4x4 block with the minibatch standard deviation -> logit. `growing`=False: fromRGB at the top only."""
    sides = resolutions(image_shape)
    top = sides[-1]
    filters = filters or 8192 // top
    width = [filters_at(side, top, filters, max_filters) for side in sides]
    images = keras.Input(tuple(image_shape), name="images")
    pooled = {len(sides) - 1: images}  # the image at sides[i]
    for i in range(len(sides) - 2, -1, -1) if growing else ():
        pooled[i] = layers.AveragePooling2D(2)(pooled[i + 1])

    def from_rgb(i):
        return _leaky(EqualizedConv2D(width[i], 1, name=f"from_rgb_{sides[i]}")(pooled[i]))

    x = from_rgb(len(sides) - 1)
    for i in range(len(sides) - 1, 0, -1):
        x = _leaky(EqualizedConv2D(width[i], 3)(x))
        x = _leaky(EqualizedConv2D(width[i - 1], 3)(x))
        x = layers.AveragePooling2D(2)(x)
        if growing:
            x = FadeIn(i - 1, name=f"fade_in_{sides[i - 1]}")([x, from_rgb(i - 1)])
    x = MinibatchStddev(group_size)(x)
    x = _leaky(EqualizedConv2D(width[0], 3)(x))
    x = _leaky(EqualizedConv2D(width[0], START, padding="valid")(x))
    # No bias on the logit: under the Wasserstein loss its gradient is 0 but for the drift term's (as WGAN's critic)
    logits = EqualizedDense(1, gain=1.0, use_bias=False, dtype="float32")(layers.Flatten()(x))
    logits = layers.Activation("linear", dtype="float32", name="logits")(logits)
    return keras.Model(images, logits, name=name)
