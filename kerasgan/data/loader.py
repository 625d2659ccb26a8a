"""load(name, ...): picks the source of a dataset name and batches it as a tf.data pipeline."""

import numbers
import os

import tensorflow as tf

from kerasgan.data import offline
from kerasgan.data.folder import class_labels, find_images, load_folder
from kerasgan.data.images import SUPPORTED_CHANNELS, to_model_range
from kerasgan.data.tfds_source import is_tfds_name, load_tfds, tfds_num_classes

SHUFFLE_BUFFER = 10_000


def _check_positive_int(argument, value, optional=False):
    if optional and value is None:
        return
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        expected = "a positive integer or None" if optional else "a positive integer"
        raise ValueError(f"{argument} must be {expected}, got {value!r}")


def _check_arguments(name, image_size, batch_size, split, seed, num_samples, channels):
    if not isinstance(name, str):
        raise ValueError(f"name must be a dataset name or folder path (str or os.PathLike), got {name!r}")
    _check_positive_int("batch_size", batch_size)
    _check_positive_int("image_size", image_size, optional=True)
    _check_positive_int("num_samples", num_samples, optional=True)
    if not isinstance(split, str):
        raise ValueError(f"split must be a string such as 'train', got {split!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if channels is not None and (isinstance(channels, bool) or channels not in SUPPORTED_CHANNELS):
        raise ValueError(f"channels must be None, 1 or 3, got {channels!r}")


def _looks_like_path(name):
    return os.sep in name or "/" in name or name.startswith((".", "~"))


def _digits(split, with_labels, image_size, channels, num_samples):
    images, labels = offline.digits(split)
    images, labels = images[:num_samples], labels[:num_samples]
    size = None if image_size is None else (image_size, image_size)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if with_labels:
        dataset = dataset.map(lambda image, label: (to_model_range(image, size, channels), label))
    else:
        dataset = dataset.map(lambda image, label: to_model_range(image, size, channels))
    return dataset, len(images)


def _mixture(name, split, with_labels, image_size, channels, num_samples, seed):
    if image_size is not None or channels is not None:
        raise ValueError(f"{name} yields 2-D points, not images: image_size and channels do not apply")
    if split != "train":
        raise ValueError(f"{name} is sampled, not split: use split='train' and another seed for fresh samples")
    points, modes = offline.mixture(name, num_samples or offline.DEFAULT_NUM_SAMPLES, seed)
    dataset = tf.data.Dataset.from_tensor_slices((points, modes) if with_labels else points)
    return dataset, len(points)


def batch_pipeline(dataset, batch_size, shuffle=True, seed=0, num_examples=None, name="the dataset"):
    """Caches, shuffles (reshuffled each epoch), batches without remainder and prefetches a dataset."""
    if num_examples is not None and num_examples < batch_size:
        raise ValueError(
            f"{name!r} has {num_examples} examples, fewer than batch_size={batch_size}: "
            "pass a smaller batch_size"
        )
    dataset = dataset.cache()
    if shuffle:
        buffer_size = min(num_examples or SHUFFLE_BUFFER, SHUFFLE_BUFFER)
        dataset = dataset.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def load(
    name,
    image_size=None,
    batch_size=64,
    split="train",
    with_labels=False,
    shuffle=True,
    seed=0,
    num_samples=None,
    channels=None,
    data_dir=None,
):
    """Loads a dataset as a batched tf.data pipeline of float32 images in [-1, 1].

    `name` is one of OFFLINE_NAMES, a TFDS name ("mnist", "cycle_gan/horse2zebra", ...) or a
    folder of images; a TFDS name wins over a same-named folder (write "./mnist" for the folder).
    Batches are (batch, H, W, C) images, or (images, int32 labels) with `with_labels`; ring8 and
    grid25 yield (batch, 2) points and take `num_samples` draws (default 100,000) from
    numpy.random.default_rng(seed). For other sources `num_samples` keeps the first examples.
    """
    name = os.fspath(name) if isinstance(name, os.PathLike) else name
    _check_arguments(name, image_size, batch_size, split, seed, num_samples, channels)
    source = _source(name)
    if source == "digits":
        dataset, num_examples = _digits(split, with_labels, image_size, channels, num_samples)
    elif source == "mixture":
        dataset, num_examples = _mixture(name, split, with_labels, image_size, channels, num_samples, seed)
    elif source == "tfds":
        dataset, num_examples = load_tfds(
            name, split, shuffle, seed, with_labels, image_size, channels, num_samples, data_dir
        )
    else:
        dataset, num_examples = load_folder(os.path.expanduser(name), with_labels, image_size, channels, num_samples)
    return batch_pipeline(dataset, batch_size, shuffle, seed, num_examples, name)


def num_classes(name, data_dir=None):
    """How many labels `load(name, with_labels=True)` yields: 10 for digits, TFDS's count, subfolders."""
    name = os.fspath(name) if isinstance(name, os.PathLike) else name
    source = _source(name)
    if source == "digits":
        return 10
    if source == "mixture":
        return len(offline.mixture_means(name))
    if source == "tfds":
        return tfds_num_classes(name, data_dir)
    folder = os.path.expanduser(name)
    return len(set(class_labels(folder, find_images(folder))))


def _source(name):
    """Which loader serves `name`: "digits", "mixture", "tfds" or "folder"; ValueError for none.

    A TFDS name wins over a same-named folder (write "./mnist" for the folder).
    """
    if name == "digits":
        return "digits"
    if name in offline.OFFLINE_NAMES:
        return "mixture"
    if not name.startswith((".", "/", "~")) and is_tfds_name(name):
        return "tfds"
    folder = os.path.expanduser(name)
    if os.path.isdir(folder):
        return "folder"
    if _looks_like_path(name):
        raise ValueError(f"no such folder: {name!r} (resolved to {os.path.abspath(folder)!r})")
    raise ValueError(
        f"unknown dataset {name!r}: use one of {', '.join(offline.OFFLINE_NAMES)}, "
        "a TFDS name such as mnist, or a folder of images"
    )
