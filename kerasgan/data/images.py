"""Image tensor transforms shared by every data source: dtype, channels, size and range."""

import tensorflow as tf

SUPPORTED_CHANNELS = (1, 3)
DIRECTIONS = ("a_to_b", "b_to_a")


def match_channels(image, channels):
    """Converts a (H, W, C) image to `channels` channels (1 or 3), dropping any alpha channel."""
    have = image.shape[-1]
    if channels is None or have == channels:
        return image
    if have in (2, 4):
        image, have = image[..., : have - 1], have - 1
    if have == channels:
        return image
    if have == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(image)
    if have == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(image)
    raise ValueError(f"cannot convert images with {have} channels to {channels} channels")


def centre_square(image):
    """The largest centred square of a (H, W, C) image."""
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    side = tf.minimum(height, width)
    return tf.image.crop_to_bounding_box(image, (height - side) // 2, (width - side) // 2, side, side)


def to_model_range(image, size=None, channels=None):
    """Returns an integer or [0, 1] float image, or a batch of them, as float32 in [-1, 1] with `channels` channels,
    resized to `size` (H, W)."""
    image = tf.image.convert_image_dtype(image, tf.float32)
    image = match_channels(image, channels)
    if size is not None:
        image = tf.image.resize(image, size, method="bilinear", antialias=True)
    return tf.clip_by_value(image * 2.0 - 1.0, -1.0, 1.0)


def to_model_pair(image_a, image_b, direction="a_to_b", size=None, channels=None):
    """(input, target) in [-1, 1] from domains A and B (B first for "b_to_a"); `channels` converts only the input."""
    source, target = (image_a, image_b) if direction == "a_to_b" else (image_b, image_a)
    return to_model_range(source, size, channels), to_model_range(target, size)
