"""SNGAN's ResNet generator and discriminator (Miyato et al. 2018, arXiv:1802.05957, appendix B.4, the
CIFAR-10 networks), sized from the image shape.

Generator: z -> dense to a start map of 4 to 7 pixels -> residual blocks that double the map (batch
norm, ReLU, nearest-neighbour upsampling, two 3x3 convolutions; a 1x1 convolution on the upsampled
shortcut) -> batch norm, ReLU, 3x3 convolution, tanh. Discriminator: residual blocks with spectral
normalization on every weight layer (the first block "optimized": convolution before the ReLU), 2x2
average pooling in the blocks that halve the map, two blocks at the last size, ReLU, global sum
pooling, a spectrally normalized dense logit.

With `num_classes` both take int labels as a second input (Miyato & Koyama 2018, "cGANs with
Projection Discriminator", arXiv:1802.05637): the generator blocks' batch norms take a scale and an
offset per class (conditional batch norm), and the discriminator adds the projection <embed(y), phi(x)>
of the pooled features on a spectrally normalized class embedding to its logit.
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2D
from kerasgan.layers import NearestUpsampling2D, batch_norm
from kerasgan.networks import dcgan


def _spectral(layer):
    return layers.SpectralNormalization(layer)


def conditional_batch_norm(x, labels, num_classes):
    """Batch norm without its own scale and offset, then gamma[y] * x + beta[y], one (gamma, beta) per class
    starting at (1, 0) (de Vries et al. 2017, arXiv:1707.00683; the generator of Miyato & Koyama 2018)."""
    channels = x.shape[-1]
    gamma = layers.Reshape((1, 1, channels))(layers.Embedding(num_classes, channels, embeddings_initializer="ones")(labels))
    beta = layers.Reshape((1, 1, channels))(layers.Embedding(num_classes, channels, embeddings_initializer="zeros")(labels))
    return layers.Add()([layers.Multiply()([batch_norm(affine=False)(x), gamma]), beta])


def generator_block(x, filters, labels=None, num_classes=None):
    """BN, ReLU, upsample x2, conv 3x3, BN, ReLU, conv 3x3; plus the upsampled input through a 1x1 convolution.
    With `labels`, the batch norms are conditional on them."""

    def normalize(h):
        return conditional_batch_norm(h, labels, num_classes) if num_classes else batch_norm()(h)

    # No convolution here has a bias: each output feeds a batch norm (the block's own, or the next block's or the
    # output's, after the sum), which would remove it. Its gradient would be rounding noise.
    shortcut = Conv2D(filters, 1, use_bias=False)(NearestUpsampling2D()(x))
    h = NearestUpsampling2D()(layers.ReLU()(normalize(x)))
    h = Conv2D(filters, 3, padding="same", use_bias=False)(h)
    h = Conv2D(filters, 3, padding="same", use_bias=False)(layers.ReLU()(normalize(h)))
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


def build_generator(image_shape, latent_dim=128, filters=256, num_classes=None, name="generator"):
    """z (, labels) -> dense -> start map -> `blocks` generator blocks of `filters` -> BN, ReLU, conv 3x3, tanh."""
    blocks = dcgan.upsampling_blocks(image_shape)
    height, width, channels = image_shape
    start_h, start_w = height // 2**blocks, width // 2**blocks
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels") if num_classes else None
    x = layers.Reshape((start_h, start_w, filters))(layers.Dense(start_h * start_w * filters)(z))
    for _ in range(blocks):
        x = generator_block(x, filters, labels, num_classes)
    x = Conv2D(channels, 3, padding="same")(layers.ReLU()(batch_norm()(x)))
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([z, labels] if num_classes else z, images, name=name)


def build_discriminator(image_shape, filters=128, num_classes=None, name="discriminator"):
    """image (, labels) -> blocks halving the map down to twice the generator's start map (once at least) -> two
    blocks at that size -> ReLU -> global sum pooling phi(x) -> SN dense logit (+ the class projection)."""
    halvings = max(dcgan.upsampling_blocks(image_shape) - 1, 1)
    images = keras.Input(tuple(image_shape), name="images")
    labels = keras.Input((), dtype="int32", name="labels") if num_classes else None
    x = discriminator_block(images, filters, downsample=True, first=True)
    for _ in range(halvings - 1):
        x = discriminator_block(x, filters, downsample=True)
    for _ in range(2):
        x = discriminator_block(x, filters, downsample=False)
    x = layers.ReLU()(x)
    x = layers.Rescaling(float(x.shape[1] * x.shape[2]))(layers.GlobalAveragePooling2D()(x))  # the sum over positions
    logits = _spectral(layers.Dense(1, dtype="float32"))(x)
    if num_classes:
        # embed(y) as one-hot y times a matrix: Keras' SpectralNormalization casts a layer's output to its input's
        # dtype, so it cannot wrap an Embedding of int labels
        one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot")(labels)
        embedded = _spectral(layers.Dense(filters, use_bias=False))(one_hot)
        projection = layers.Dot(axes=1, dtype="float32")([embedded, x])  # <embed(y), phi(x)>, one per sample
        logits = layers.Add(dtype="float32")([logits, projection])
    logits = layers.Activation("linear", dtype="float32", name="logits")(logits)
    return keras.Model([images, labels] if num_classes else images, logits, name=name)
