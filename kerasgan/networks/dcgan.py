"""DCGAN generator and discriminator (Radford et al. 2015, arXiv:1511.06434).

Strided convolutions instead of pooling, transposed convolutions to upsample, batch norm
in both networks except the generator's output and the discriminator's input, ReLU in the
generator with a tanh output, LeakyReLU(0.2) in the discriminator. All kernels 4, strides 2.
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2D, Conv2DTranspose
from kerasgan.layers import batch_norm

KERNEL_SIZE = 4
MIN_START_SIZE = 4


def upsampling_blocks(image_shape):
    """How many stride-2 blocks lead from a start map of >= 4 pixels to `image_shape`.

    Raises ValueError when no such path exists (a side that is odd or under 8).
    """
    if len(image_shape) != 3 or any(not isinstance(d, int) or d < 1 for d in image_shape):
        raise ValueError(f"image_shape must be (height, width, channels) of positive ints, got {image_shape!r}")
    height, width, _ = image_shape
    blocks = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= MIN_START_SIZE:
        height, width, blocks = height // 2, width // 2, blocks + 1
    if blocks == 0:
        raise ValueError(
            f"DCGAN cannot make images of shape {tuple(image_shape)}: height and width must be even "
            "and at least 8, halving down to a start map of 4 to 7 pixels (e.g. 16, 28, 32, 64, 128)"
        )
    return blocks


def upsample(x, image_shape, filters):
    """Dense -> BN -> ReLU -> start map -> (ConvTranspose, BN, ReLU) x (blocks - 1): all but the output layer."""
    blocks = upsampling_blocks(image_shape)
    start_h, start_w = image_shape[0] // 2**blocks, image_shape[1] // 2**blocks
    x = layers.Dense(start_h * start_w * filters * 2 ** (blocks - 1), use_bias=False)(x)
    x = batch_norm()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((start_h, start_w, filters * 2 ** (blocks - 1)))(x)
    for block in reversed(range(blocks - 1)):
        x = Conv2DTranspose(filters * 2**block, KERNEL_SIZE, strides=2, padding="same", use_bias=False)(x)
        x = batch_norm()(x)
        x = layers.ReLU()(x)
    return x


def downsample(x, image_shape, filters, normalization="batch", spectral_norm=False):
    """Conv, LeakyReLU -> (Conv, norm, LeakyReLU) x (blocks - 1), halving the map each time."""
    weighted = layers.SpectralNormalization if spectral_norm else (lambda layer: layer)
    x = weighted(Conv2D(filters, KERNEL_SIZE, strides=2, padding="same"))(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    for block in range(1, upsampling_blocks(image_shape)):
        conv = Conv2D(filters * 2**block, KERNEL_SIZE, strides=2, padding="same", use_bias=normalization != "batch")
        x = layers.LeakyReLU(negative_slope=0.2)(normalize(weighted(conv)(x), normalization))
    return x


def normalize(x, normalization):
    """x through batch norm, layer norm over each example's whole feature map (or vector), or unchanged (None)."""
    if normalization == "batch":
        return batch_norm()(x)
    if normalization == "layer":
        return layers.LayerNormalization(axis=tuple(range(1, len(x.shape))))(x)
    return x


LABEL_EMBEDDING = 50  # CGAN: length of the label embedding joined to z


def build_generator(image_shape, latent_dim=100, filters=64, num_classes=None, dense_units=0, name="generator"):
    """z -> Dense -> (ConvTranspose, BN, ReLU) x (blocks - 1) -> ConvTranspose -> tanh.

    With `num_classes`, a second input of int labels is embedded and joined to z (CGAN,
    Mirza & Osindero 2014, arXiv:1411.1784). `dense_units` > 0 puts a hidden Dense, BN, ReLU
    layer of that width before the projection, as InfoGAN's networks (Chen et al. 2016,
    arXiv:1606.03657, FC 1024) that Lucic et al. 2018 use on MNIST.
    """
    upsampling_blocks(image_shape)  # a clear error for shapes this architecture cannot make
    channels = image_shape[-1]
    z = keras.Input((latent_dim,), name="z")
    inputs, x = [z], z
    if num_classes:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        x = layers.Concatenate()([z, layers.Embedding(num_classes, LABEL_EMBEDDING)(labels)])
    if dense_units:
        x = layers.ReLU()(batch_norm()(layers.Dense(checked_units(dense_units), use_bias=False)(x)))
    x = upsample(x, image_shape, filters)
    x = Conv2DTranspose(channels, KERNEL_SIZE, strides=2, padding="same")(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(inputs if num_classes else z, images, name=name)


NORMALIZATIONS = ("batch", "layer", None)


def build_discriminator(
    image_shape,
    filters=64,
    normalization="batch",
    spectral_norm=False,
    num_classes=None,
    logit_bias=True,
    dense_units=0,
    name="discriminator",
):
    """image -> Conv, LeakyReLU -> (Conv, norm, LeakyReLU) x (blocks - 1) -> Dense(1) logit.

    normalization: "batch" (DCGAN), "layer" (over each example's whole feature map, as
    WGAN-GP's critic, Gulrajani et al. 2017) or None. spectral_norm wraps every weight layer
    in keras.layers.SpectralNormalization (Miyato et al. 2018, arXiv:1802.05957). With
    `num_classes`, int labels are embedded into one extra image channel (CGAN).
    logit_bias=False drops the last layer's bias, which a Wasserstein critic cannot learn
    (it cancels in E[f(x)] - E[f(G(z))]). `dense_units` > 0 puts a hidden Dense, norm,
    LeakyReLU layer of that width before the logit (InfoGAN's FC 1024, Chen et al. 2016).
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    upsampling_blocks(image_shape)  # a clear error for shapes this architecture cannot take
    height, width, _ = image_shape
    weighted = layers.SpectralNormalization if spectral_norm else (lambda layer: layer)
    images = keras.Input(tuple(image_shape), name="images")
    inputs, x = [images], images
    if num_classes:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        label_map = layers.Reshape((height, width, 1))(layers.Embedding(num_classes, height * width)(labels))
        x = layers.Concatenate()([images, label_map])
    x = layers.Flatten()(downsample(x, image_shape, filters, normalization, spectral_norm))
    if dense_units:
        x = weighted(layers.Dense(checked_units(dense_units), use_bias=normalization != "batch"))(x)
        x = layers.LeakyReLU(negative_slope=0.2)(normalize(x, normalization))
    logits = weighted(layers.Dense(1, use_bias=logit_bias, dtype="float32", name="logits"))(x)
    return keras.Model(inputs if num_classes else images, logits, name=name)


def checked_units(units):
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise ValueError(f"dense_units must be an integer >= 0 (0: no hidden dense layer), got {units!r}")
    return units
