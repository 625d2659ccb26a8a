"""The offline translation sets as tf.data: digits2digits_m and mnist2mnist_m (paired or unpaired), colorization,
edges2photos and super_resolution (paired)."""

import tensorflow as tf

from kerasgan.data import colorization, digits_m, edges, mnist_m, mnist_sources, super_resolution
from kerasgan.data.images import to_model_pair, to_model_range

# Each digit set and its rendering over photos (MNIST-M, Ganin et al. 2016): the two domains of a translation set,
# A first; their labelled sets are what a translation is judged on (kerasgan.evaluation).
DIGIT_DOMAINS = {"digits2digits_m": ("digits", "digits_m"), "mnist2mnist_m": ("mnist", "mnist_m")}


def _pairs(images_a, images_b, direction, channels, size=None):
    dataset = tf.data.Dataset.from_tensor_slices((images_a, images_b))
    dataset = dataset.map(lambda image_a, image_b: to_model_pair(image_a, image_b, direction, size, channels))
    return dataset, len(images_a)


def _domain(images, channels, size=None):
    dataset = tf.data.Dataset.from_tensor_slices(images)
    return dataset.map(lambda image: to_model_range(image, size, channels)), len(images)


def _mnist_sets(split, image_size, data_dir):
    """(MNIST digits, their MNIST-M renderings in the same order, the (H, W) to resize to or None)."""
    size = None if image_size is None else (image_size, image_size)
    return mnist_sources.mnist(split, data_dir=data_dir)[0], mnist_m.mnist_m(split, data_dir=data_dir)[0], size


def digits_pairs(split, image_size, channels, num_samples, direction):
    """(grey digit, its digits_m rendering) pairs in [-1, 1] and their count; `channels` converts the input."""
    digits, blends, _ = digits_m.render(split, image_size or digits_m.DEFAULT_IMAGE_SIZE)
    return _pairs(digits[:num_samples], blends[:num_samples], direction, channels)


def mnist_pairs(split, image_size, channels, num_samples, direction, data_dir=None):
    """(grey MNIST digit, its MNIST-M rendering) pairs in [-1, 1] and their count; `channels` converts the input."""
    digits, blends, size = _mnist_sets(split, image_size, data_dir)
    return _pairs(digits[:num_samples], blends[:num_samples], direction, channels, size)


def mnist_domains(split, image_size, channels, num_samples, data_dir=None):
    """Unpaired (dataset, size) domains: MNIST digits of the split's first half as RGB, MNIST-M renderings of its
    second half (other digits), so no image of one domain has its counterpart in the other."""
    digits, blends, size = _mnist_sets(split, image_size, data_dir)
    half = len(digits) // 2
    return (
        _domain(digits[:half][:num_samples], channels or 3, size),
        _domain(blends[half:][:num_samples], channels or 3, size),
    )


def digits_domains(split, image_size, channels, num_samples):
    """Unpaired (dataset, size) domains: digits of the split's first half as RGB, digits_m of its second half."""
    digits, blends, _ = digits_m.render(split, image_size or digits_m.DEFAULT_IMAGE_SIZE)
    half = len(digits) // 2
    return _domain(digits[:half][:num_samples], channels or 3), _domain(blends[half:][:num_samples], channels or 3)


def colorization_pairs(split, image_size, channels, num_samples, direction):
    """(grey crop, colour crop) pairs in [-1, 1] and their count; `channels` converts the input."""
    grey, colour = colorization.colorization(split, image_size or colorization.DEFAULT_IMAGE_SIZE)
    return _pairs(grey[:num_samples], colour[:num_samples], direction, channels)


def edges_pairs(split, image_size, channels, num_samples, direction):
    """(edge map, photo crop) pairs in [-1, 1] and their count; `channels` converts the input."""
    edge_maps, colour = edges.edges2photos(split, image_size or edges.DEFAULT_IMAGE_SIZE)
    return _pairs(edge_maps[:num_samples], colour[:num_samples], direction, channels)


def super_resolution_pairs(split, image_size, channels, num_samples, direction):
    """(low-resolution crop, high-resolution crop) pairs in [-1, 1] and their count; `channels` converts both."""
    low, high = super_resolution.super_resolution(split, image_size or super_resolution.DEFAULT_IMAGE_SIZE)
    dataset = tf.data.Dataset.from_tensor_slices((low[:num_samples], high[:num_samples]))
    if direction == "b_to_a":
        dataset = dataset.map(lambda small, large: (large, small))
    dataset = dataset.map(lambda first, second: (to_model_range(first, None, channels), to_model_range(second, None, channels)))
    return dataset, len(low[:num_samples])
