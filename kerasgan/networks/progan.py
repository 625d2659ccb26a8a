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


def _leaky(x, dtype=None):
    return layers.LeakyReLU(0.2, dtype=dtype)(x)


def _widths(sides, filters, max_filters):
    top = sides[-1]
    return [filters_at(side, top, filters or 8192 // top, max_filters) for side in sides]


def _creating(name, make):
    return make(name)


def build_generator(image_shape, latent_dim=512, filters=None, max_filters=512, growing=True, name="generator"):
    """z -> the image at every resolution -> their mix by level (LevelMix), linear outputs as the paper's (clipped
    to [-1, 1] outside training).
    `growing`=False: the final resolution's image only, the network ProGAN has once fully grown."""
    sides = resolutions(image_shape)
    z = keras.Input((latent_dim,), name="z")
    width = _widths(sides, filters, max_filters)
    outputs = _generator_graph(z, sides, image_shape[-1], width, growing, len(sides) - 1, _creating)
    return keras.Model(z, outputs, name=name)


def build_discriminator(image_shape, filters=None, max_filters=512, group_size=4, growing=True, name="discriminator"):
    """image -> fromRGB at the top, faded (FadeIn) at each lower resolution with fromRGB of the pooled image
    -> the 4x4 block with the minibatch standard deviation -> logit. `growing`=False: fromRGB at the top only."""
    sides = resolutions(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    width = _widths(sides, filters, max_filters)
    logits = _discriminator_graph(images, sides, width, group_size, growing, len(sides) - 1, _creating)
    return keras.Model(images, logits, name=name)


def generator_at(generator, depth):
    """The part of a growing `generator` of build_generator that makes its output while the level is at most
    `depth` (resolutions up to 4 * 2**depth, mixed by the same LevelMix): the layers above take no part then,
    their images weighted 0. It shares `generator`'s layers. None for a network of other layer names."""
    side, channels = generator.outputs[0].shape[1], generator.outputs[0].shape[-1]
    sides = resolutions((side, side))
    try:
        width = [generator.get_layer(f"conv_{START}").filters] + [generator.get_layer(f"conv_{s}_1").filters for s in sides[1:]]
        z = keras.Input(generator.inputs[0].shape[1:], name="z")
        dtype = generator.get_layer("dense").dtype_policy
        outputs = _generator_graph(z, sides, channels, width, True, depth, _taken_from(generator), dtype)
    except ValueError:  # get_layer: no layer of that name
        return None
    return keras.Model(z, outputs, name=f"{generator.name}_to_{sides[depth]}")


def discriminator_at(discriminator, depth):
    """The part of a growing `discriminator` of build_discriminator that scores images while the level is at most
    `depth`: the image pooled to 4 * 2**depth through its fromRGB, and the blocks below (the blocks above enter
    with weight 0 then). It shares `discriminator`'s layers. None for a network of other layer names."""
    side = discriminator.inputs[0].shape[1]
    sides = resolutions((side, side))
    try:
        stddev = discriminator.get_layer("minibatch_stddev")
        images = keras.Input(discriminator.inputs[0].shape[1:], name="images")
        logits = _discriminator_graph(
            images, sides, None, stddev.group_size, True, depth, _taken_from(discriminator), stddev.dtype_policy
        )
    except ValueError:  # get_layer: no layer of that name
        return None
    return keras.Model(images, logits, name=f"{discriminator.name}_from_{sides[depth]}")


def _taken_from(network):
    """A layer resolver that returns `network`'s layer of each name."""
    return lambda name, make: network.get_layer(name)


def _generator_graph(z, sides, channels, width, growing, depth, layer, dtype=None):
    """G's graph up to resolution sides[depth]. `layer(name, make)` gives each named layer (`make(name)` builds
    it); the unnamed ones hold no weights and compute in `dtype` (None: the global policy)."""
    dense = layer("dense", lambda name: EqualizedDense(START * START * width[0], gain=SQRT_2 / 4, name=name))
    x = dense(PixelNorm(dtype=dtype)(z))
    x = PixelNorm(dtype=dtype)(_leaky(layers.Reshape((START, START, width[0]), dtype=dtype)(x), dtype))
    x = PixelNorm(dtype=dtype)(_leaky(layer(f"conv_{START}", lambda name: EqualizedConv2D(width[0], 3, name=name))(x), dtype))
    images = []
    for i, side in enumerate(sides[:depth + 1]):
        if i:
            x = NearestUpsampling2D(dtype=dtype)(x)
            for k in (1, 2):
                conv = layer(f"conv_{side}_{k}", lambda name, i=i: EqualizedConv2D(width[i], 3, name=name))
                x = PixelNorm(dtype=dtype)(_leaky(conv(x), dtype))
        if growing or side == sides[-1]:
            image = layer(f"to_rgb_{side}", lambda name: EqualizedConv2D(channels, 1, gain=1.0, name=name))(x)
            for _ in range(i, len(sides) - 1):
                image = NearestUpsampling2D(dtype=dtype)(image)
            images.append(image)
    mixed = layer("level_mix", lambda name: LevelMix(name=name))(images) if growing else images[0]
    return layer("images", lambda name: ClipOutsideTraining(dtype="float32", name=name))(mixed)


def _discriminator_graph(images, sides, width, group_size, growing, depth, layer, dtype=None):
    """D's graph from resolution sides[depth] down, the image pooled to it; `layer` and `dtype` as in
    _generator_graph."""
    pooled = {len(sides) - 1: images}  # the image at sides[i], pooled from the top as the whole network does
    for i in range(len(sides) - 2, -1, -1) if growing else ():
        pooled[i] = layers.AveragePooling2D(2, dtype=dtype)(pooled[i + 1])

    def from_rgb(i):
        conv = layer(f"from_rgb_{sides[i]}", lambda name: EqualizedConv2D(width[i], 1, name=name))
        return _leaky(conv(pooled[i]), dtype)

    x = from_rgb(depth)
    for i in range(depth, 0, -1):
        for k, out in ((1, i), (2, i - 1)):
            x = _leaky(layer(f"conv_{sides[i]}_{k}", lambda name, out=out: EqualizedConv2D(width[out], 3, name=name))(x), dtype)
        x = layers.AveragePooling2D(2, dtype=dtype)(x)
        if growing:
            x = layer(f"fade_in_{sides[i - 1]}", lambda name, i=i: FadeIn(i - 1, name=name))([x, from_rgb(i - 1)])
    x = layer("minibatch_stddev", lambda name: MinibatchStddev(group_size, name=name))(x)
    x = _leaky(layer(f"conv_{START}_1", lambda name: EqualizedConv2D(width[0], 3, name=name))(x), dtype)
    x = _leaky(layer(f"conv_{START}_2", lambda name: EqualizedConv2D(width[0], START, padding="valid", name=name))(x), dtype)
    # No bias on the logit: under the Wasserstein loss its gradient is 0 but for the drift term's (as WGAN's critic)
    logit = layer("logit", lambda name: EqualizedDense(1, gain=1.0, use_bias=False, dtype="float32", name=name))
    logits = logit(layers.Flatten(dtype=dtype)(x))
    return layer("logits", lambda name: layers.Activation("linear", dtype="float32", name=name))(logits)
