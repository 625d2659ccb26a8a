"""The U-Net generator of pix2pix (Isola et al. 2017, arXiv:1611.07004, appendix 6.1.1).

An encoder of 4x4 stride-2 convolutions (C64-C128-C256-C512-C512-C512-C512-C512 at 256x256)
and a mirrored decoder of 4x4 stride-2 transposed convolutions, with skip connections that
concatenate each encoder activation to the decoder's of the same size (Ronneberger et al.
2015, arXiv:1505.04597). Images in and out are in [-1, 1].
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2D, Conv2DTranspose
from kerasgan.layers import batch_norm

KERNEL_SIZE = 4
MAX_DEPTH = 8  # 256 -> 1
DROPOUT_BLOCKS = 3
MAX_FILTERS = 8  # times `filters`: C512 at filters=64


def default_depth(height, width):
    """The most halvings, at most 8, that both sides allow: 8 at 256x256, 5 at 32x32."""
    depth = 0
    while depth < MAX_DEPTH and height % 2 ** (depth + 1) == 0 and width % 2 ** (depth + 1) == 0:
        depth += 1
    return depth


def check_depth(input_shape, depth):
    """Raises ValueError unless height and width can be halved `depth` times."""
    height, width, _ = input_shape
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1 (stride-2 blocks), got {depth!r}")
    if height % 2**depth or width % 2**depth:
        allowed = default_depth(height, width)
        raise ValueError(
            f"a U-Net of depth {depth} cannot take input_shape {tuple(input_shape)}: height and width must be "
            f"multiples of 2**{depth} = {2**depth}; resize the images or "
            + (f"use depth <= {allowed}" if allowed else "make both sides even (e.g. 32, 64, 256)")
        )


def build_unet(input_shape, output_channels, filters=64, depth=None, dropout=0.5, name="unet"):
    """image -> (Conv, BN, LeakyReLU) x depth -> (ConvTranspose, BN, Dropout, ReLU, skip) x (depth - 1) -> tanh.

    depth: stride-2 blocks, by default the most halvings (at most 8) both sides allow. Filters
    double from `filters` up to 8 * filters. BatchNorm is left out of the first layer, as in
    the paper, and of the innermost one, as in the authors' code: at the 1x1 bottleneck with
    a batch of 1 it would set every activation to its offset. `dropout` is applied in the
    first 3 decoder blocks during training only (keras.layers.Dropout); the paper keeps it,
    and batch statistics, at test time as the generator's only noise: `network(x, training=True)`.
    """
    if len(input_shape) != 3 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in input_shape):
        raise ValueError(f"input_shape must be (height, width, channels) of positive ints, got {input_shape!r}")
    if isinstance(output_channels, bool) or not isinstance(output_channels, int) or output_channels < 1:
        raise ValueError(f"output_channels must be a positive integer, got {output_channels!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout is a rate: it must be in [0, 1), got {dropout!r}")
    if depth is None:
        depth = max(default_depth(*input_shape[:2]), 1)  # 1 for an odd side, which the check rejects
    check_depth(input_shape, depth)
    images = keras.Input(tuple(input_shape), name="images")
    x, skips = images, []
    for block in range(depth):
        normalized = 0 < block < depth - 1
        x = Conv2D(
            filters * min(2**block, MAX_FILTERS), KERNEL_SIZE, strides=2, padding="same", use_bias=not normalized
        )(x)
        if normalized:
            x = batch_norm()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        skips.append(x)
    for block in reversed(range(depth - 1)):
        x = Conv2DTranspose(
            filters * min(2**block, MAX_FILTERS), KERNEL_SIZE, strides=2, padding="same", use_bias=False
        )(x)
        x = batch_norm()(x)
        if depth - 2 - block < DROPOUT_BLOCKS and dropout:
            x = layers.Dropout(dropout)(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[block]])
    x = Conv2DTranspose(output_channels, KERNEL_SIZE, strides=2, padding="same")(x)
    translated = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(images, translated, name=name)
