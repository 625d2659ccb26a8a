"""Checks and conversions of image and label arrays: what fit and the exports agree on."""
import numpy as np
import tensorflow as tf

IMAGE_RANGE_TOLERANCE = 1e-3  # float rounding of x / 127.5 - 1 and of resizing


def check_images(images, role, model_name):
    """Raises ValueError unless the numpy array `images` is uint8 or floats in [-1, 1], naming `role`."""
    if images.dtype == np.uint8 or images.size == 0:
        return
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"{role} are {images.dtype} but {model_name} takes uint8 images or floats in [-1, 1]: "
            "convert them with x.astype('uint8') (from [0, 255]) or x.astype('float32') / 127.5 - 1"
        )
    low, high = float(np.min(images)), float(np.max(images))
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{role} hold NaN or infinite values: {model_name} takes images in [-1, 1]")
    if low < -1 - IMAGE_RANGE_TOLERANCE or high > 1 + IMAGE_RANGE_TOLERANCE:
        if low >= 0 and high <= 255:
            fix = "x / 127.5 - 1 (from [0, 255]), or pass them as uint8, which fit scales"
        else:
            fix = "2 * (x - x.min()) / (x.max() - x.min()) - 1"
        raise ValueError(
            f"{role} hold floats in [{low:.4g}, {high:.4g}] but {model_name} takes images in [-1, 1]: scale them with {fix}"
        )


def check_labels(labels, num_classes, role="labels"):
    """`labels` as int32 numpy; ValueError naming `role` unless every one is an integer in [0, num_classes)."""
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{role} must be integers in [0, {num_classes}), got dtype {labels.dtype}")
    outside = labels[(labels < 0) | (labels >= num_classes)]
    if outside.size:
        raise ValueError(f"{role} must be in [0, {num_classes}), got {sorted(set(outside.tolist()))[:5]}")
    return labels.astype("int32")


def labels_in_range(labels, num_classes, model_name):
    """int32 `labels`, asserted in the graph to lie in [0, num_classes): data seen only while training."""
    labels = tf.cast(labels, tf.int32)
    too_large = tf.debugging.assert_less(
        labels, num_classes, message=f"{model_name}: a label in the data is >= num_classes={num_classes}"
    )
    negative = tf.debugging.assert_non_negative(labels, message=f"{model_name}: negative label")
    with tf.control_dependencies([too_large, negative]):
        return tf.identity(labels)


def to_uint8(images):
    """Images in [-1, 1] -> uint8 in [0, 255], rounded."""
    images = tf.clip_by_value(tf.cast(images, tf.float32), -1.0, 1.0)
    return tf.cast(tf.round((images + 1.0) * 127.5), tf.uint8)


def from_uint8(images):
    """uint8 images in [0, 255] -> float32 in [-1, 1]."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def uniform_images(count, shape, seed):
    """`count` random images in [-1, 1]: serving examples for parity checks and int8 calibration."""
    return np.random.default_rng(seed).uniform(-1, 1, (count,) + tuple(shape)).astype("float32")
