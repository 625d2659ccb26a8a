"""colorization: grey and colour crops of scikit-learn's photos, pix2pix's BW-to-colour task (arXiv:1611.07004)."""

import functools

import numpy as np
import tensorflow as tf

from kerasgan.data import offline
from kerasgan.data.digits_m import crops

DEFAULT_IMAGE_SIZE = 32
CROP_SIZE = 64
TEST_STRIP = 128
NUM_CROPS = {"train": 2000, "test": 400}
SPLIT_SEEDS = {"train": 0, "test": 1}


def crop_boxes(split="train"):
    """Photo index, top and left (N,) of each crop: test ones in each photo's right TEST_STRIP px, train left of it."""
    if split not in NUM_CROPS:
        raise ValueError(f"unknown split {split!r} for colorization: use one of {', '.join(NUM_CROPS)}")
    height, width = offline.sample_photos().shape[1:3]
    first, last = (0, width - TEST_STRIP - CROP_SIZE) if split == "train" else (width - TEST_STRIP, width - CROP_SIZE)
    num_crops = NUM_CROPS[split]
    rng = np.random.default_rng(SPLIT_SEEDS[split])
    top = rng.integers(0, height - CROP_SIZE + 1, num_crops)
    left = rng.integers(first, last + 1, num_crops)
    return np.arange(num_crops) % 2, top, left


@functools.lru_cache(maxsize=4)
def colorization(split="train", image_size=DEFAULT_IMAGE_SIZE):
    """Grey crops (N, S, S, 1) and their colour originals (N, S, S, 3), float32 in [0, 1], resized to image_size."""
    if image_size > CROP_SIZE:
        raise ValueError(
            f"colorization crops {CROP_SIZE}x{CROP_SIZE} px regions: image_size must be at most {CROP_SIZE}, "
            f"got {image_size}"
        )
    colour = crops(*crop_boxes(split), CROP_SIZE)
    if image_size != CROP_SIZE:
        size = (image_size, image_size)
        colour = tf.image.resize(colour, size, method="bilinear", antialias=True).numpy().clip(0.0, 1.0)
    grey = tf.image.rgb_to_grayscale(colour).numpy()
    for array in (grey, colour):
        array.setflags(write=False)
    return grey, colour
