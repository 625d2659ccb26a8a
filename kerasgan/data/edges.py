"""edges2photos: the edge map of a photo crop and the crop, pix2pix's edges -> photo task (Isola et al. 2017,
arXiv:1611.07004) on the packaged photos of kerasgan.data.photos (train and test crops from different photos)."""

import functools

import numpy as np
import tensorflow as tf
from skimage import feature

from kerasgan.data import photos

DEFAULT_IMAGE_SIZE = 32
CROP_SIZE = 64
NUM_CROPS = {"train": 4000, "test": 800}
SPLIT_SEEDS = {"train": 0, "test": 1}
CANNY_SIGMA = 2.0  # the Gaussian blur before Canny (Canny 1986): larger keeps only an object's outlines


@functools.lru_cache(maxsize=4)
def edges2photos(split="train", image_size=DEFAULT_IMAGE_SIZE):
    """Edge maps (N, S, S, 1), 1 on an edge, and their colour crops (N, S, S, 3), float32 in [0, 1].

    Args:
        split: "train" (crops of photos.TRAIN_PHOTOS) or "test" (of photos.TEST_PHOTOS).
        image_size: S; the 64x64 crops are resized to it, then their edges found by scikit-image's
            Canny detector on the grey crop.
    """
    if split not in NUM_CROPS:
        raise ValueError(f"unknown split {split!r} for edges2photos: use one of {', '.join(NUM_CROPS)}")
    if image_size > CROP_SIZE:
        raise ValueError(
            f"edges2photos crops {CROP_SIZE}x{CROP_SIZE} px regions: image_size must be at most {CROP_SIZE}, got {image_size}"
        )
    crops = photos.random_crops(split, NUM_CROPS[split], CROP_SIZE, SPLIT_SEEDS[split])
    colour = tf.image.resize(crops / 255.0, (image_size, image_size), method="bilinear", antialias=True).numpy()
    colour = colour.clip(0.0, 1.0).astype(np.float32)
    grey = tf.image.rgb_to_grayscale(colour).numpy()[..., 0]
    edges = np.stack([feature.canny(image, sigma=CANNY_SIGMA) for image in grey])[..., None].astype(np.float32)
    for array in (edges, colour):
        array.setflags(write=False)
    return edges, colour
