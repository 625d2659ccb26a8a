"""Folders of image files (png, jpg, jpeg, bmp, gif), found recursively and read with tf.data."""

import functools
import os
import pathlib
import warnings

import tensorflow as tf
from PIL import Image

from kerasgan.data.folder_split import SPLIT_FOLDERS, has_split_folders, split_paths
from kerasgan.data.images import centre_square, to_model_range
from kerasgan.data.notices import say_once

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
    stat = os.stat(path)
    return _checked_format(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=None)
def _checked_format(path, modified, size):
    """image_format's check, once per file version (path, modification time, size) in a process."""
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


def _scan(folder, num_samples=None):
    """(readable, image_files): (path, channels, (height, width)) of the first `num_samples` images under
    `folder` that decode, and every file with an image extension (hidden ones aside), both sorted."""
    files = sorted(str(path) for path in pathlib.Path(folder).rglob("*") if path.is_file() and not path.name.startswith("."))
    images, others, broken, image_files = [], [], [], []
    for path in files:
        if num_samples is not None and len(images) == num_samples:
            break
        if not path.lower().endswith(IMAGE_EXTENSIONS):
            others.append((path, "not an image file"))
            continue
        image_files.append(path)
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
        warnings.warn(f"{str(folder)!r}: {skipped}", stacklevel=3)
    return images, image_files


def readable_images(folder, num_samples=None):
    """(path, channels, (height, width)) of the first `num_samples` images under `folder` that decode.

    Other files (hidden ones aside) and images that do not decode are skipped with a warning
    that counts them and names one; ValueError naming the folder when no image is left.
    """
    return _scan(folder, num_samples)[0]


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


def _class_parts(folder, path, split_layout):
    """The path's parts below its class root: `folder`, or its train/ or test/ in that layout (None outside them)."""
    parts = pathlib.Path(path).relative_to(folder).parts
    if not split_layout:
        return parts
    return parts[1:] if parts[0] in SPLIT_FOLDERS else None


def class_names(folder, paths):
    """The sorted class names (immediate subfolders of the class root) of `paths`; ValueError for an image
    outside every class subfolder."""
    split_layout = has_split_folders(folder)
    classes = [parts for parts in (_class_parts(folder, path, split_layout) for path in paths) if parts is not None]
    in_root = [parts[0] for parts in classes if len(parts) == 1]
    if in_root:
        where = "its train/ and test/ subfolders" if split_layout else "it"
        raise ValueError(
            f"with_labels=True needs one subfolder per class in {str(folder)!r}, "
            f"but {len(in_root)} images lie directly in {where} (e.g. {in_root[0]!r})"
        )
    return sorted({parts[0] for parts in classes})


def class_labels(folder, paths, every_path=None):
    """Index of each path's class among class_names of `every_path` (default `paths`), so that the splits
    of a folder share their indices."""
    names = class_names(folder, paths if every_path is None else sorted(set(every_path) | set(paths)))
    split_layout = has_split_folders(folder)
    return [names.index(_class_parts(folder, path, split_layout)[0]) for path in paths]


def square_size(folder, images, image_size):
    """The (height, width) load_folder resizes every image of `images` to, and whether it centre-crops them first.

    With image_size: (image_size, image_size), cropped, and ValueError for a smaller image.
    Without: the images' own size when they share one; else a square of the smallest side of
    any image, said once in one line.
    """
    sizes = [size for _, _, size in images]
    if image_size is not None:
        check_image_size([(path, size) for path, _, size in images], image_size)
        return (image_size, image_size), True
    if len(set(sizes)) == 1:
        return sizes[0], False
    side = min(min(size) for size in sizes)
    (low_height, low_width), (high_height, high_width) = min(sizes, key=_area), max(sizes, key=_area)
    say_once(
        f"{folder}: {len(images)} images of mixed sizes {low_width}x{low_height} to {high_width}x{high_height}: "
        f"centre-cropped to squares and resized to {side}x{side} (pass image_size to choose)"
    )
    return (side, side), True


def _area(size):
    return size[0] * size[1], size


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


def load_folder(folder, with_labels, image_size, channels, num_samples, split="all"):
    """Returns the unbatched (image[, label]) dataset in [-1, 1] of an image folder's `split` and its size.

    `split` as folder_split.split_paths reads it. Every image in the folder is checked, so that
    both splits share a size and channels: by default the majority's (1 when most are
    grayscale, else 3: RGB, alpha dropped, palettes expanded), and the size square_size picks.
    """
    images, image_files = _scan(folder)
    chosen = set(split_paths(folder, image_files, split))
    split_images = [entry for entry in images if entry[0] in chosen][:num_samples]
    if not split_images:
        raise ValueError(f"no readable images in split={split!r} of folder {str(folder)!r}")
    paths = [path for path, _, _ in split_images]
    channels = channels or majority_channels(images)
    size, crop = square_size(folder, images, image_size)

    def read(path):
        image = decode(path, channels)
        return to_model_range(centre_square(image) if crop else image, size, channels)

    if with_labels:
        labels = tf.constant(class_labels(folder, paths, [path for path, _, _ in images]), tf.int32)
        dataset = tf.data.Dataset.from_tensor_slices((paths, labels))
        dataset = dataset.map(lambda path, label: (read(path), label), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = tf.data.Dataset.from_tensor_slices(paths).map(read, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, len(paths)
