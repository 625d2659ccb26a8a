"""Two-domain image folders: CycleGAN's trainA/trainB/testA/testB layout and pix2pix's side-by-side A|B images."""

import os

import tensorflow as tf

from kerasgan.data.folder import check_image_size, decode, load_folder, majority_channels, readable_images
from kerasgan.data.images import to_model_pair

DOMAIN_FOLDERS = ("trainA", "trainB", "testA", "testB")
PIX2PIX_SPLITS = ("train", "val", "test")


def has_domain_folders(folder):
    """Whether `folder` has CycleGAN's layout: a subfolder trainA, trainB, testA or testB."""
    return any(os.path.isdir(os.path.join(folder, domain)) for domain in DOMAIN_FOLDERS)


def load_domain_folders(folder, split, image_size, channels, num_samples):
    """Unbatched image datasets in [-1, 1] and sizes of <folder>/<split>A and <folder>/<split>B (CycleGAN)."""
    sides = []
    for domain in ("A", "B"):
        path = os.path.join(folder, split + domain)
        if not os.path.isdir(path):
            raise ValueError(f"no folder {path!r}: a CycleGAN folder holds {split}A and {split}B for split={split!r}")
        sides.append(load_folder(path, False, image_size, channels, num_samples))
    return tuple(sides)


def split_folder(folder, split):
    """<folder>/<split> if it exists (pix2pix's train/val/test layout), else `folder` itself when it has no splits."""
    path = os.path.join(folder, split)
    if os.path.isdir(path):
        return path
    present = [name for name in PIX2PIX_SPLITS if os.path.isdir(os.path.join(folder, name))]
    if present:
        raise ValueError(f"no folder {path!r} for split={split!r}: {str(folder)!r} holds {', '.join(present)}")
    return folder


def load_side_by_side(folder, split, image_size, channels, num_samples, direction):
    """Unbatched (input, target) dataset in [-1, 1] of A|B images, left half A (pix2pix), and its size.

    Images are read with the majority's channels (as load_folder) and their halves resized to the first
    one's half (or image_size, which no half may be smaller than).
    """
    images = readable_images(split_folder(folder, split), num_samples)
    paths = [path for path, _, _ in images]
    image_channels, (height, width) = majority_channels(images), images[0][2]
    if width % 2:
        raise ValueError(
            f"{paths[0]!r} is {width}x{height} px: a side-by-side A|B image needs an even width, "
            "the left half A and the right half B of the same size"
        )
    if image_size is not None:
        check_image_size([(path, (image_height, image_width // 2)) for path, _, (image_height, image_width) in images], image_size)
    size = (height, width // 2) if image_size is None else (image_size, image_size)

    def pair(path):
        image = decode(path, image_channels)
        image_width = tf.shape(image)[1]
        even = tf.debugging.Assert(
            tf.equal(image_width % 2, 0), ["a side-by-side A|B image needs an even width, got", path, tf.shape(image)]
        )
        with tf.control_dependencies([even]):
            half = image_width // 2
        return to_model_pair(image[:, :half], image[:, half:], direction, size, channels)

    dataset = tf.data.Dataset.from_tensor_slices(paths).map(pair, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, len(paths)
