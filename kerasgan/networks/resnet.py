"""CycleGAN's ResNet generator (Zhu et al. 2017, arXiv:1703.10593, appendix 7.2).

The architecture of Johnson et al. 2016 (arXiv:1603.08155): c7s1-64, d128, d256, residual
blocks R256, u128, u64, c7s1-3, with instance norm and reflection padding. ck: k filters,
c7s1 a 7x7 stride-1 convolution, d a 3x3 stride-2 one, u a 3x3 stride-1/2 transposed one.
Images in and out are in [-1, 1].
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2D, Conv2DTranspose
from kerasgan.layers import ReflectionPadding2D, instance_norm

DOWNSAMPLINGS = 2  # the paper's d128, d256
LARGE_IMAGES = 256  # the paper: 6 residual blocks for 128x128 images, 9 for 256x256 and larger


def check_shape(image_shape, downsamplings=DOWNSAMPLINGS):
    """Raises ValueError unless `downsamplings` stride-2 blocks halve both sides to a map of at least 2."""
    if len(image_shape) != 3 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in image_shape):
        raise ValueError(f"image_shape must be (height, width, channels) of positive ints, got {image_shape!r}")
    if isinstance(downsamplings, bool) or not isinstance(downsamplings, int) or downsamplings < 0:
        raise ValueError(f"downsamplings must be an integer >= 0 (stride-2 blocks), got {downsamplings!r}")
    height, width, _ = image_shape
    factor = 2**downsamplings
    if height % factor or width % factor or min(height, width) < 2 * factor:
        raise ValueError(
            f"the ResNet generator cannot take image_shape {tuple(image_shape)}: height and width must be "
            f"multiples of {factor} and at least {2 * factor} ({downsamplings} stride-2 blocks, then reflection "
            "padding); resize the images or use fewer downsamplings"
        )


def residual_block(x, filters):
    """x + (pad, 3x3 conv, IN, ReLU, pad, 3x3 conv, IN)(x): R256 at filters=256."""
    y = ReflectionPadding2D((1, 1))(x)
    y = Conv2D(filters, 3, use_bias=False)(y)
    y = instance_norm()(y)
    y = layers.ReLU()(y)
    y = ReflectionPadding2D((1, 1))(y)
    y = Conv2D(filters, 3, use_bias=False)(y)
    y = instance_norm()(y)
    return layers.Add()([x, y])


def build_resnet_generator(
    image_shape,
    output_channels=None,
    filters=64,
    residual_blocks=None,
    downsamplings=DOWNSAMPLINGS,
    name="resnet_generator",
):
    """image -> c7s1-64, d128, d256, R256 x residual_blocks, u128, u64, c7s1-output_channels -> tanh (the defaults).

    output_channels: by default the input's. residual_blocks: by default 6 below 256x256, 9
    from there. downsamplings: the stride-2 blocks (the paper's 2), each doubling the filters;
    fewer keep the residual blocks at a finer scale, so every output pixel sees a smaller
    patch of the input. Convolutions followed by instance norm have no bias (the norm cancels it).
    """
    check_shape(image_shape, downsamplings)
    if residual_blocks is None:
        residual_blocks = 9 if min(image_shape[:2]) >= LARGE_IMAGES else 6
    if isinstance(residual_blocks, bool) or not isinstance(residual_blocks, int) or residual_blocks < 0:
        raise ValueError(f"residual_blocks must be an integer >= 0, got {residual_blocks!r}")
    output_channels = image_shape[-1] if output_channels is None else output_channels
    images = keras.Input(tuple(image_shape), name="images")
    x = ReflectionPadding2D((3, 3))(images)
    x = Conv2D(filters, 7, use_bias=False)(x)
    x = layers.ReLU()(instance_norm()(x))
    for level in range(1, downsamplings + 1):
        x = Conv2D(filters * 2**level, 3, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(instance_norm()(x))
    for _ in range(residual_blocks):
        x = residual_block(x, filters * 2**downsamplings)
    for level in reversed(range(downsamplings)):
        x = Conv2DTranspose(filters * 2**level, 3, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(instance_norm()(x))
    x = ReflectionPadding2D((3, 3))(x)
    x = Conv2D(output_channels, 7)(x)
    translated = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(images, translated, name=name)
