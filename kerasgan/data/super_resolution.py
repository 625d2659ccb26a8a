"""super_resolution: (low-resolution, high-resolution) pairs of photo crops, SRGAN's task (Ledig et al. 2017,
arXiv:1609.04802): high-resolution crops of the packaged photos of kerasgan.data.photos (train and test crops from
different photos), each shrunk 4 times by bicubic interpolation, as the paper makes its low-resolution inputs."""

import functools

import numpy as np
import tensorflow as tf

from kerasgan.data import photos

DEFAULT_IMAGE_SIZE = 64  # the high-resolution side; the inputs are 16x16
FACTOR = 4
NUM_CROPS = {"train": 4000, "test": 400}
SPLIT_SEEDS = {"train": 0, "test": 1}


@functools.lru_cache(maxsize=4)
def super_resolution(split="train", image_size=DEFAULT_IMAGE_SIZE):
    """Low-resolution crops (N, S/4, S/4, 3) and their high-resolution originals (N, S, S, 3), float32 in [0, 1].

    Args:
        split: "train" (crops of photos.TRAIN_PHOTOS) or "test" (of photos.TEST_PHOTOS).
        image_size: S, the side of the high-resolution crops, cut from the photos at their size (short side
            321 px) with no resizing; a multiple of 4, from 16 to 320.
    """
    if split not in NUM_CROPS:
        raise ValueError(f"unknown split {split!r} for super_resolution: use one of {', '.join(NUM_CROPS)}")
    if image_size % FACTOR or not 4 * FACTOR <= image_size < photos.SHORT_SIDE:
        raise ValueError(
            f"super_resolution's high-resolution crops must be a multiple of {FACTOR} from {4 * FACTOR} to "
            f"{photos.SHORT_SIDE - 1} px, got image_size={image_size}"
        )
    high = (photos.random_crops(split, NUM_CROPS[split], image_size, SPLIT_SEEDS[split]) / 255.0).astype(np.float32)
    size = image_size // FACTOR
    low = tf.image.resize(high, (size, size), method="bicubic", antialias=True).numpy().clip(0.0, 1.0).astype(np.float32)
    for array in (low, high):
        array.setflags(write=False)
    return low, high
