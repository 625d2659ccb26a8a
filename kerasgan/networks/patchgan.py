"""The PatchGAN discriminator (Isola et al. 2017, arXiv:1611.07004, appendix 6.1.2).

A fully convolutional net whose every output is the logit of one image patch being real:
C64-C128-C256 (4x4, stride 2), C512 (4x4, stride 1), then a 4x4 stride-1 convolution to one
channel. With 3 stride-2 blocks each logit sees a 70x70 patch. pix2pix and CycleGAN both
use it, with batch norm and instance norm respectively, none on the first block.
"""
import keras

from kerasgan.convolutions import Conv2D
from kerasgan.layers import batch_norm, instance_norm

KERNEL_SIZE = 4
MAX_LAYERS = 3  # the paper's 70x70 PatchGAN
MIN_MAP = 16  # side of the map the default stride-2 blocks leave: a logit map of at least 14x14
MAX_FILTERS = 8  # times `filters`: C512 at filters=64
NORMALIZATIONS = ("batch", "instance", None)


def _check_layers(layers):
    if isinstance(layers, bool) or not isinstance(layers, int) or layers < 1:
        raise ValueError(f"layers must be an integer >= 1 (stride-2 blocks), got {layers!r}")


def receptive_field(layers):
    """The side in pixels of the patch one logit sees with `layers` stride-2 blocks: 16, 34, 70, 142, ..."""
    _check_layers(layers)
    field = 1 + 2 * (KERNEL_SIZE - 1)  # the two stride-1 convolutions
    for _ in range(layers):
        field = 2 * field + KERNEL_SIZE - 2  # (field - 1) * stride + kernel
    return field


def default_layers(height, width):
    """3 (70x70 patches) from 128 pixels on the smaller side, 2 (34x34) at 64, 1 (16x16) below.

    The most stride-2 blocks, at most 3, that leave a map of at least 16 pixels, so the
    logits cover a grid of at least 14x14 patches, each at most about half the image wide.
    """
    layers = 1
    while layers < MAX_LAYERS and min(height, width) // 2 ** (layers + 1) >= MIN_MAP:
        layers += 1
    return layers


def logit_map(height, width, layers):
    """(height, width) of the logit map: 'same' stride-2 blocks round up, each stride-1 one takes 1."""
    for _ in range(layers):
        height, width = -(-height // 2), -(-width // 2)
    return height - 2, width - 2


def build_patchgan(image_shape, condition_shape=None, filters=64, layers=None, normalization="batch", name="patchgan"):
    """image [, condition] -> Conv, LeakyReLU -> (Conv, norm, LeakyReLU) x layers -> Conv -> logit map.

    layers: stride-2 blocks (3 for the paper's 70x70 patches), by default `default_layers`.
    normalization: "batch" (pix2pix), "instance" (CycleGAN, layers.instance_norm) or None.
    With `condition_shape` the network takes [image, condition] of the same height and width
    and joins them on channels, pix2pix's conditional discriminator. The logits are
    unbounded (no sigmoid), a map of (height / 2**layers - 2, width / 2**layers - 2), rounding up.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if len(image_shape) != 3 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in image_shape):
        raise ValueError(f"image_shape must be (height, width, channels) of positive ints, got {image_shape!r}")
    height, width, _ = image_shape
    if condition_shape is not None and tuple(condition_shape[:2]) != (height, width):
        raise ValueError(
            f"condition_shape {tuple(condition_shape)} must have the height and width of image_shape "
            f"{tuple(image_shape)}: the discriminator joins them on channels; resize one of them"
        )
    layers = default_layers(height, width) if layers is None else layers
    _check_layers(layers)
    if min(logit_map(height, width, layers)) < 1:
        raise ValueError(
            f"image_shape {tuple(image_shape)} is too small for a PatchGAN of {layers} stride-2 blocks: "
            f"its logit map would be {logit_map(height, width, layers)}; use fewer layers or larger images"
        )
    images = keras.Input(tuple(image_shape), name="images")
    inputs, x = [images], images
    if condition_shape is not None:
        conditions = keras.Input(tuple(condition_shape), name="conditions")
        inputs.append(conditions)
        x = keras.layers.Concatenate()([images, conditions])
    for block in range(layers + 1):
        strided = block < layers
        normalized = block > 0 and normalization is not None
        if not strided:
            x = keras.layers.ZeroPadding2D(1)(x)  # as the paper's code: each stride-1 block takes a pixel
        x = Conv2D(
            filters * min(2**block, MAX_FILTERS),
            KERNEL_SIZE,
            strides=2 if strided else 1,
            padding="same" if strided else "valid",
            use_bias=not normalized,
        )(x)
        if normalization == "batch" and normalized:
            x = batch_norm()(x)
        elif normalization == "instance" and normalized:
            x = instance_norm()(x)
        x = keras.layers.LeakyReLU(negative_slope=0.2)(x)
    x = keras.layers.ZeroPadding2D(1)(x)
    logits = Conv2D(1, KERNEL_SIZE, dtype="float32", name="logits")(x)
    return keras.Model(inputs if condition_shape is not None else images, logits, name=name)
