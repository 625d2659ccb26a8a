"""Folders of image files (png, jpg, jpeg, bmp, gif), found recursively and read with tf.data."""

import pathlib

import tensorflow as tf
from PIL import Image

from kerasgan.data.images import to_model_range

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
GRAYSCALE_MODES = ("1", "L", "LA", "I;16", "I;16B", "I;16L")


def find_images(folder):
    """Sorted paths of every file under `folder` whose extension is in IMAGE_EXTENSIONS (any case)."""
    files = pathlib.Path(folder).rglob("*")
    return sorted(str(path) for path in files if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS)


def image_paths(folder, num_samples=None):
    """The first `num_samples` of find_images(folder); ValueError if the folder holds no images."""
    paths = find_images(folder)
    if not paths:
        extensions = ", ".join(IMAGE_EXTENSIONS)
        raise ValueError(f"no images in folder {str(folder)!r}: expected files ending in {extensions}")
    return paths[:num_samples]


def class_labels(folder, paths):
    """Index of each path's immediate subfolder of `folder` in sorted order (one subfolder per class)."""
    classes = [pathlib.Path(path).relative_to(folder).parts for path in paths]
    in_root = [parts[0] for parts in classes if len(parts) == 1]
    if in_root:
        raise ValueError(
            f"with_labels=True needs one subfolder per class in {str(folder)!r}, "
            f"but {len(in_root)} images lie directly in it (e.g. {in_root[0]!r})"
        )
    names = sorted({parts[0] for parts in classes})
    return [names.index(parts[0]) for parts in classes]


def first_image_format(path):
    """Channels (1 for grayscale modes, else 3) and (height, width) of an image file, read with Pillow."""
    with Image.open(path) as image:
        width, height = image.size
        return (1 if image.mode in GRAYSCALE_MODES else 3), (height, width)


def decode(path, channels):
    """Decodes an image file to uint8 (H, W, channels); BMP and GIF decode only to RGB, then convert."""
    contents = tf.io.read_file(path)
    if channels == 3:
        return tf.io.decode_image(contents, channels=3, expand_animations=False)
    is_bmp_or_gif = tf.logical_or(
        tf.strings.substr(contents, 0, 2) == "BM", tf.strings.substr(contents, 0, 3) == "GIF"
    )
    return tf.cond(
        is_bmp_or_gif,
        lambda: tf.image.rgb_to_grayscale(tf.io.decode_image(contents, channels=3, expand_animations=False)),
        lambda: tf.io.decode_image(contents, channels=1, expand_animations=False),
    )


def load_folder(folder, with_labels, image_size, channels, num_samples):
    """Returns the unbatched (image[, label]) dataset in [-1, 1] of an image folder and its size."""
    paths = image_paths(folder, num_samples)
    first_channels, first_size = first_image_format(paths[0])
    channels = channels or first_channels
    size = first_size if image_size is None else (image_size, image_size)

    def read(path):
        return to_model_range(decode(path, channels), size, channels)

    if with_labels:
        labels = tf.constant(class_labels(folder, paths), tf.int32)
        dataset = tf.data.Dataset.from_tensor_slices((paths, labels))
        dataset = dataset.map(lambda path, label: (read(path), label), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = tf.data.Dataset.from_tensor_slices(paths).map(read, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, len(paths)
