"""Folders of image files (png, jpg, jpeg, bmp, gif), found recursively and read with tf.data."""

import os
import pathlib
import warnings

import tensorflow as tf
from PIL import Image

from kerasgan.data.images import to_model_range

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
GRAYSCALE_MODES = ("1", "L", "LA", "I;16", "I;16B", "I;16L")
DECODABLE_FORMATS = ("BMP", "GIF", "JPEG", "MPO", "PNG")  # Pillow's names of what tf.io.decode_image reads


def find_images(folder):
    """Sorted paths of every file under `folder` whose extension is in IMAGE_EXTENSIONS (any case)."""
    files = pathlib.Path(folder).rglob("*")
    return sorted(str(path) for path in files if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS)


def image_format(path):
    """Channels (1 for grayscale modes, else 3) and (height, width) of an image file that decodes, checked
    with Pillow; OSError (or what Pillow raises) otherwise."""
    with Image.open(path) as image:
        if image.format not in DECODABLE_FORMATS:
            raise OSError(f"{image.format} is not a format TensorFlow decodes")
        channels, (width, height) = (1 if image.mode in GRAYSCALE_MODES else 3), image.size
        if image.format == "PNG":
            image.verify()  # every chunk's checksum, without decoding
        else:
            image.draft(image.mode, (1, 1))  # JPEG: decode at 1/8 scale, which still reads every byte
            image.load()  # JPEG's verify checks nothing: decoding finds truncation
    return channels, (height, width)


def readable_images(folder, num_samples=None):
    """(path, channels, (height, width)) of the first `num_samples` images under `folder` that decode.

    Other files (hidden ones aside) and images that do not decode are skipped with a warning
    that counts them and names one; ValueError naming the folder when no image is left.
    """
    files = sorted(str(path) for path in pathlib.Path(folder).rglob("*") if path.is_file() and not path.name.startswith("."))
    images, others, broken = [], [], []
    for path in files:
        if num_samples is not None and len(images) == num_samples:
            break
        if not path.lower().endswith(IMAGE_EXTENSIONS):
            others.append((path, "not an image file"))
            continue
        try:
            images.append((path, *image_format(path)))
        except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, ... for a bad file
            broken.append((path, f"does not decode ({error})"))
    skipped = ""
    if others or broken:
        example, reason = (broken + others)[0]
        skipped = (
            f"skipped {len(others) + len(broken)} of {len(images) + len(others) + len(broken)} files, not readable "
            f"images (undecodable: {len(broken)}, other extensions: {len(others)}), e.g. "
            f"{os.path.relpath(example, folder)!r}: {reason}"
        )
    if not images:
        extensions = ", ".join(IMAGE_EXTENSIONS)
        raise ValueError(f"no images in folder {str(folder)!r}: expected files ending in {extensions}" + (skipped and f"; {skipped}"))
    if skipped:
        warnings.warn(f"{str(folder)!r}: {skipped}", stacklevel=2)
    return images


def majority_channels(images):
    """The channel count of most `images` entries (path, channels, size): 1 or 3, a tie 3."""
    grayscale = sum(channels == 1 for _, channels, _ in images)
    return 1 if 2 * grayscale > len(images) else 3


def check_image_size(sizes, image_size):
    """Raises ValueError when an image of `sizes` ((path, (height, width)) pairs) is smaller than image_size."""
    small = [(path, size) for path, size in sizes if min(size) < image_size]
    if small:
        path, (height, width) = small[0]
        largest = min(min(size) for _, size in sizes)
        more = f" (and {len(small) - 1} more)" if len(small) > 1 else ""
        raise ValueError(
            f"{path!r} is {width}x{height} px, smaller than image_size={image_size}{more}: pass image_size={largest} "
            "or less (--image_size on the command line), or remove the smaller images"
        )


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
    """Returns the unbatched (image[, label]) dataset in [-1, 1] of an image folder and its size.

    Images are resized to the first one's size (or image_size, which no image may be smaller
    than) and converted to `channels`, by default the majority's: 1 when most are grayscale,
    else 3 (RGB; alpha dropped, palettes expanded).
    """
    images = readable_images(folder, num_samples)
    paths = [path for path, _, _ in images]
    channels = channels or majority_channels(images)
    if image_size is not None:
        check_image_size([(path, size) for path, _, size in images], image_size)
    size = images[0][2] if image_size is None else (image_size, image_size)

    def read(path):
        return to_model_range(decode(path, channels), size, channels)

    if with_labels:
        labels = tf.constant(class_labels(folder, paths), tf.int32)
        dataset = tf.data.Dataset.from_tensor_slices((paths, labels))
        dataset = dataset.map(lambda path, label: (read(path), label), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = tf.data.Dataset.from_tensor_slices(paths).map(read, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, len(paths)
