"""The context encoder (Pathak et al. 2016, arXiv:1604.07379), sized from the image shape.

[image with the hole blanked, mask] -> encoder: DCGAN's strided convolutions (kerasgan.networks.dcgan)
down to a map of 4 to 7 pixels -> channel-wise fully connected layer: each channel's map to a new map of
the same size, one dense matrix per channel, so every output position sees the whole context -> a 1x1
convolution that mixes the channels -> decoder: DCGAN's transposed convolutions back to the image
size -> tanh. The output is a whole image; the model keeps only its pixels in the hole.
"""
import keras
from keras import layers

from kerasgan.convolutions import Conv2D, Conv2DTranspose
from kerasgan.layers import batch_norm
from kerasgan.networks import dcgan


def channelwise_dense(x):
    """(batch, h, w, c) -> (batch, h, w, c): for each channel a dense map of its h*w positions to h*w positions
    (c * (h*w)^2 weights; a dense layer over the whole map would have c^2 times as many)."""
    height, width, channels = x.shape[1:]
    positions = height * width
    x = layers.Reshape((positions, channels))(x)
    x = layers.EinsumDense("bpc,cpq->bqc", output_shape=(positions, channels), bias_axes="qc")(x)
    return layers.Reshape((height, width, channels))(x)


def build_generator(image_shape, filters=64, name="context_encoder"):
    """[images, masks] -> the filled image; `filters` channels in the first convolution, doubling down the encoder."""
    blocks = dcgan.upsampling_blocks(image_shape)
    height, width, channels = image_shape
    images = keras.Input(tuple(image_shape), name="images")
    masks = keras.Input((height, width, 1), name="masks")
    x = dcgan.downsample(layers.Concatenate()([images, masks]), image_shape, filters)
    x = layers.ReLU()(channelwise_dense(x))
    x = Conv2D(x.shape[-1], 1, use_bias=False)(x)
    x = layers.ReLU()(batch_norm()(x))
    for block in reversed(range(blocks - 1)):
        x = Conv2DTranspose(filters * 2**block, dcgan.KERNEL_SIZE, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(batch_norm()(x))
    x = Conv2DTranspose(channels, dcgan.KERNEL_SIZE, strides=2, padding="same")(x)
    filled = layers.Activation("tanh", dtype="float32", name="filled")(x)
    return keras.Model([images, masks], filled, name=name)
