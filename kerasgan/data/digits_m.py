"""digits_m: scikit-learn's digits blended with photo crops, MNIST-M's recipe (Ganin et al. 2016, arXiv:1505.07818)."""

import functools

import numpy as np
import tensorflow as tf

from kerasgan.data import offline

DEFAULT_IMAGE_SIZE = 32
CROP_SEED = 0


def crop_corners(num_examples, image_size):
    """Photo index, top and left (each (N,)) of every digit's crop, drawn once for all digits with CROP_SEED."""
    height, width = offline.sample_photos().shape[1:3]
    if image_size > height:
        raise ValueError(
            f"digits_m crops {height}x{width} px photos: image_size must be at most {height}, got {image_size}"
        )
    rng = np.random.default_rng(CROP_SEED)
    photo = rng.integers(0, 2, num_examples)
    top = (rng.random(num_examples) * (height - image_size + 1)).astype(np.int64)
    left = (rng.random(num_examples) * (width - image_size + 1)).astype(np.int64)
    return photo, top, left


def crops(photo, top, left, size):
    """Square crops (N, size, size, 3) of the sample photos at the given photo indices and top-left corners."""
    rows = top[:, None] + np.arange(size)
    columns = left[:, None] + np.arange(size)
    return offline.sample_photos()[photo[:, None, None], rows[:, :, None], columns[:, None, :]]


@functools.lru_cache(maxsize=4)
def render(split="train", image_size=DEFAULT_IMAGE_SIZE):
    """Digits resized to image_size (N, S, S, 1), their digits_m blends (N, S, S, 3), both in [0, 1], and labels.

    A blend is |crop - digit| per channel, the crop an image_size square of a sample photo drawn
    per digit (not per split), so a digit renders alike in every split and loader.
    """
    images, labels = offline.digits("all")
    indices = offline.split_indices(len(images), split)
    photo, top, left = crop_corners(len(images), image_size)
    size = (image_size, image_size)
    digits = tf.image.resize(images[indices], size, method="bilinear", antialias=True).numpy().clip(0.0, 1.0)
    blends = np.abs(crops(photo[indices], top[indices], left[indices], image_size) - digits)
    for array in (digits, blends):
        array.setflags(write=False)
    return digits, blends, labels[indices]


def digits_m(split="train", image_size=DEFAULT_IMAGE_SIZE):
    """digits_m images as float32 (N, S, S, 3) in [0, 1] and int32 labels (N,), in the digits split order."""
    _, blends, labels = render(split, image_size)
    return blends, labels


def light_backgrounds(split="test", image_size=DEFAULT_IMAGE_SIZE):
    """Which of the split's digits_m images (bool (N,), split order) have a light background, the mean
    off the digit above mid-grey: there |photo - digit| draws the digit dark on light, the reverse of digits."""
    digits, blends, _ = render(split, image_size)
    off_digit = digits[..., 0] < 0.1
    brightness = np.array([blend.mean(axis=-1)[mask].mean() for blend, mask in zip(blends, off_digit)])
    return brightness > 0.5


def fresh_blends(split="train", image_size=DEFAULT_IMAGE_SIZE, copies=1, seed=1):
    """The split's digits blended over `copies` other photo crops each: (copies * N, S, S, 3) in [0, 1], labels.

    Not digits_m itself (whose crop per digit is fixed): more backgrounds for training a digits_m
    classifier that must look past them.
    """
    digits, _, labels = render(split, image_size)
    height, width = offline.sample_photos().shape[1:3]
    rng = np.random.default_rng(seed)
    count = len(digits) * copies
    photo = rng.integers(0, 2, count)
    top = (rng.random(count) * (height - image_size + 1)).astype(np.int64)
    left = (rng.random(count) * (width - image_size + 1)).astype(np.int64)
    blends = np.abs(crops(photo, top, left, image_size) - np.tile(digits, (copies, 1, 1, 1)))
    return blends.astype(np.float32), np.tile(labels, copies)
