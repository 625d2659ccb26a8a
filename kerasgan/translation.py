"""What the image-to-image translators (Pix2Pix, CycleGAN) share: input checks and serving signatures."""
import numpy as np
import tensorflow as tf

from kerasgan import gan


def check_images(images, shape, role):
    """`images` as a float32 array of shape (N, *shape); ValueError naming `role` otherwise."""
    images = np.asarray(images, dtype="float32")
    if images.ndim == len(shape):
        images = images[np.newaxis]
    if tuple(images.shape[1:]) != tuple(shape):
        raise ValueError(f"{role} must be images of shape (N, {', '.join(map(str, shape))}) in [-1, 1], got {images.shape}")
    return images


def endpoints(network, input_shape, float_name, uint8_name):
    """Two signatures of one translating network: `float_name` maps `images` in [-1, 1] to
    `images`; `uint8_name` maps `images_uint8` to `images_uint8`, the REST-friendly form."""
    float_spec = tf.TensorSpec((None,) + tuple(input_shape), tf.float32, name="images")
    uint8_spec = tf.TensorSpec((None,) + tuple(input_shape), tf.uint8, name="images_uint8")

    def translate(images):
        return {"images": tf.cast(network(images, training=False), tf.float32)}

    def translate_uint8(images_uint8):
        images = tf.cast(images_uint8, tf.float32) / 127.5 - 1.0
        return {"images_uint8": gan.to_uint8(network(images, training=False))}

    return {float_name: (translate, [float_spec]), uint8_name: (translate_uint8, [uint8_spec])}


def uniform_images(count, shape, seed):
    """`count` random images in [-1, 1]: serving examples for parity checks and int8 calibration."""
    return np.random.default_rng(seed).uniform(-1, 1, (count,) + tuple(shape)).astype("float32")
