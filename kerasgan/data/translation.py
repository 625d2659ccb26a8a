"""The offline translation sets as tf.data: digits2digits_m (paired or unpaired) and colorization (paired)."""

import tensorflow as tf

from kerasgan.data import colorization, digits_m
from kerasgan.data.images import to_model_pair, to_model_range


def _pairs(images_a, images_b, direction, channels):
    dataset = tf.data.Dataset.from_tensor_slices((images_a, images_b))
    dataset = dataset.map(lambda image_a, image_b: to_model_pair(image_a, image_b, direction, channels=channels))
    return dataset, len(images_a)


def _domain(images, channels):
    dataset = tf.data.Dataset.from_tensor_slices(images)
    return dataset.map(lambda image: to_model_range(image, None, channels)), len(images)


def digits_pairs(split, image_size, channels, num_samples, direction):
    """(grey digit, its digits_m rendering) pairs in [-1, 1] and their count; `channels` converts the input."""
    digits, blends, _ = digits_m.render(split, image_size or digits_m.DEFAULT_IMAGE_SIZE)
    return _pairs(digits[:num_samples], blends[:num_samples], direction, channels)


def digits_domains(split, image_size, channels, num_samples):
    """Unpaired (dataset, size) domains: digits of the split's first half as RGB, digits_m of its second half."""
    digits, blends, _ = digits_m.render(split, image_size or digits_m.DEFAULT_IMAGE_SIZE)
    half = len(digits) // 2
    return _domain(digits[:half][:num_samples], channels or 3), _domain(blends[half:][:num_samples], channels or 3)


def colorization_pairs(split, image_size, channels, num_samples, direction):
    """(grey crop, colour crop) pairs in [-1, 1] and their count; `channels` converts the input."""
    grey, colour = colorization.colorization(split, image_size or colorization.DEFAULT_IMAGE_SIZE)
    return _pairs(grey[:num_samples], colour[:num_samples], direction, channels)
