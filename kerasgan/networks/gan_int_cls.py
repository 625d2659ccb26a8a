"""GAN-INT-CLS's networks (Reed et al. 2016, arXiv:1605.05396, section 3.1), sized from the image shape.

Text encoder phi: caption ids -> word embeddings -> their mean over the caption's words -> dense -> the text
embedding (a bag of words, trained with the model, where the paper pre-trains a character-level encoder).
Generator: phi(t) -> dense to `compressed` units, LeakyReLU(0.2), joined to z -> DCGAN's generator.
Discriminator: DCGAN's strided convolutions down to a map of 4 to 7 pixels; phi(t) -> dense to `compressed`
units, LeakyReLU, copied to every position of that map and joined to its channels -> 1x1 convolution, LeakyReLU
-> a dense logit. Layer norm over each example replaces the paper's batch norm in D: D judges a batch of real
images with their captions, the same images with wrong captions and fakes in three passes, and per-pass batch
statistics let it tell the batches apart rather than each image's match (measured after 450 MNIST updates: every
training pair matched in training mode, 0.72 with the moving statistics).
"""
import keras
from keras import layers

from kerasgan import text
from kerasgan.convolutions import Conv2D, Conv2DTranspose
from kerasgan.networks import dcgan

WORD_DIM = 64


def build_text_encoder(embedding_dim=128, name="text_encoder"):
    """Caption ids (batch, MAX_WORDS), 0 padding -> text embeddings (batch, embedding_dim)."""
    ids = keras.Input((text.MAX_WORDS,), dtype="int32", name="captions")
    words = layers.Embedding(text.VOCABULARY_SIZE, WORD_DIM, mask_zero=True)(ids)
    pooled = layers.GlobalAveragePooling1D()(words)  # the mean over the words, padding masked out
    return keras.Model(ids, layers.Dense(embedding_dim, dtype="float32", name="text_embedding")(pooled), name=name)


def _compress(embedding, units):
    return layers.LeakyReLU(negative_slope=0.2)(layers.Dense(units)(embedding))


def build_generator(image_shape, latent_dim=100, embedding_dim=128, compressed=128, filters=64, name="generator"):
    """[z, text embedding] -> images in [-1, 1]."""
    z = keras.Input((latent_dim,), name="z")
    embedding = keras.Input((embedding_dim,), name="text_embedding")
    x = dcgan.upsample(layers.Concatenate()([z, _compress(embedding, compressed)]), image_shape, filters)
    x = Conv2DTranspose(image_shape[-1], dcgan.KERNEL_SIZE, strides=2, padding="same")(x)
    return keras.Model([z, embedding], layers.Activation("tanh", dtype="float32", name="images")(x), name=name)


def build_discriminator(image_shape, embedding_dim=128, compressed=128, filters=64, name="discriminator"):
    """[images, text embedding] -> one logit: does the image look real, and does it match the text?"""
    images = keras.Input(tuple(image_shape), name="images")
    embedding = keras.Input((embedding_dim,), name="text_embedding")
    x = dcgan.downsample(images, image_shape, filters, normalization="layer")
    height, width = x.shape[1], x.shape[2]
    tiled = layers.Reshape((1, 1, compressed))(_compress(embedding, compressed))
    tiled = layers.UpSampling2D((height, width))(tiled)  # the same vector at every position
    x = Conv2D(x.shape[-1], 1)(layers.Concatenate()([x, tiled]))
    x = layers.Flatten()(layers.LeakyReLU(negative_slope=0.2)(x))
    return keras.Model([images, embedding], layers.Dense(1, dtype="float32", name="logits")(x), name=name)
