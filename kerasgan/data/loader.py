"""load(name, ...): picks the source of a dataset name and batches it as a tf.data pipeline."""

import numbers
import os
from typing import Callable, NamedTuple, Optional

import tensorflow as tf

from kerasgan.data import captions, digits_m, mnist_m, mnist_sources, offline, translation
from kerasgan.data.folder import class_names, find_images, load_folder
from kerasgan.data.folder_pairs import has_domain_folders, load_domain_folders, load_side_by_side
from kerasgan.data.images import DIRECTIONS, SUPPORTED_CHANNELS, to_model_range
from kerasgan.data.pipeline import batch_pipeline, zip_unpaired
from kerasgan.data.tfds_source import domain_splits, is_tfds_name, load_tfds, load_tfds_domains, tfds_num_classes

# (input, target) pairs only: their inputs
PAIRED_SOURCES = {"colorization": "grey crop", "edges2photos": "edge map", "super_resolution": "low-resolution crop"}
UNLABELLED_SOURCES = (*translation.DIGIT_DOMAINS, *PAIRED_SOURCES, "folder_domains")
REAL_SETS = {"mnist": mnist_sources.mnist, "fashion_mnist": mnist_sources.fashion_mnist, "mnist_m": mnist_m.mnist_m}
MIN_REAL_IMAGE_SIZE = 4


class _Single(NamedTuple):
    """One domain of examples as a source gives it, before batch_pipeline.

    Args:
        dataset: the unbatched dataset.
        num_examples: its size (None: unknown).
        finish: the map that turns its elements, or batches of them, into what load yields (None: they are).
        cache: whether caching the dataset saves work (not for arrays already in memory).
    """

    dataset: tf.data.Dataset
    num_examples: Optional[int]
    finish: Optional[Callable] = None
    cache: bool = True


def _check_positive_int(argument, value, optional=False):
    if optional and value is None:
        return
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        expected = "a positive integer or None" if optional else "a positive integer"
        raise ValueError(f"{argument} must be {expected}, got {value!r}")


def _check_arguments(name, image_size, batch_size, split, seed, num_samples, channels, paired, direction):
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
    if not isinstance(paired, bool):
        raise ValueError(f"paired must be True or False, got {paired!r}")
    if not isinstance(direction, str) or direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'a_to_b' or 'b_to_a', got {direction!r}")


def _looks_like_path(name):
    return os.sep in name or "/" in name or name.startswith((".", "~"))


def _on_images(function):
    """`function` applied to the images of (image[, label]) examples or batches."""

    def apply(images, *labels):
        return (function(images), *labels) if labels else function(images)

    return apply


def _arrays(images, labels, with_labels, size, channels):
    """The (image[, label]) examples of numpy images and labels in [-1, 1], resized to `size`.

    Without a `size` the examples are the arrays' own, not cached (they are in memory already), and their
    `finish` scales whole batches: the shuffle and the batching move uint8 images for the MNIST sets, a quarter
    of float32's bytes, and one vectorized map per batch replaces one map call per image. A resize maps each
    image once, before the cache.
    """
    dataset = tf.data.Dataset.from_tensor_slices((images, labels) if with_labels else images)
    if size is None:
        finish = _on_images(lambda batch: to_model_range(batch, channels=channels))
        return _Single(dataset, len(images), finish, cache=False)
    return _Single(dataset.map(_on_images(lambda image: to_model_range(image, size, channels))), len(images))


def _digits(name, split, with_labels, image_size, channels, num_samples):
    if name == "digits":
        images, labels = offline.digits(split)
        size = None if image_size is None else (image_size, image_size)
    else:
        images, labels = digits_m.digits_m(split, image_size or digits_m.DEFAULT_IMAGE_SIZE)
        size = None
    return _arrays(images[:num_samples], labels[:num_samples], with_labels, size, channels)


def _real(name, split, with_labels, image_size, channels, num_samples, data_dir):
    """mnist, fashion_mnist or mnist_m from the installed packages, 28x28 unless image_size says otherwise."""
    if image_size is not None and image_size < MIN_REAL_IMAGE_SIZE:
        raise ValueError(
            f"image_size={image_size} is too small for {name}'s 28x28 images: pass image_size={MIN_REAL_IMAGE_SIZE} "
            "or more, or leave it out for 28"
        )
    images, labels = REAL_SETS[name](split, data_dir=data_dir)
    size = None if image_size is None else (image_size, image_size)
    return _arrays(images[:num_samples], labels[:num_samples], with_labels, size, channels)


def _captioned(name, split, with_labels, image_size, channels, num_samples):
    """(image, caption ids, wrong caption ids) of mnist_captions or fashion_mnist_captions (kerasgan.data.captions)."""
    if with_labels:
        raise ValueError(f"{name} yields (images, caption ids, wrong caption ids): its captions name the class; "
                         "pass with_labels=False")
    if split not in captions.SPLIT_SEEDS:
        raise ValueError(f"unknown split {split!r} for {name}: use train or test")
    images, ids, wrong = captions.tokens(name, split)
    size = None if image_size is None else (image_size, image_size)
    dataset = tf.data.Dataset.from_tensor_slices((images[:num_samples], ids[:num_samples], wrong[:num_samples]))
    dataset = dataset.map(lambda image, caption, other: (to_model_range(image, size, channels), caption, other))
    return _Single(dataset, len(ids[:num_samples]), cache=False)


def _check_points(name, image_size, channels):
    if image_size is not None or channels is not None:
        raise ValueError(f"{name} yields 2-D points, not images: image_size and channels do not apply")


def _mixture(name, split, with_labels, image_size, channels, num_samples, seed):
    _check_points(name, image_size, channels)
    if split != "train":
        raise ValueError(f"{name} is sampled, not split: use split='train' and another seed for fresh samples")
    points, modes = offline.mixture(name, num_samples or offline.DEFAULT_NUM_SAMPLES, seed)
    dataset = tf.data.Dataset.from_tensor_slices((points, modes) if with_labels else points)
    return _Single(dataset, len(points))


def _moons(name, split, with_labels, image_size, channels, num_samples):
    _check_points(name, image_size, channels)
    points, labels = offline.moons(name, split, num_samples or offline.DEFAULT_MOONS_SAMPLES)
    dataset = tf.data.Dataset.from_tensor_slices((points, labels) if with_labels else points)
    return _Single(dataset, len(points))


def _domains(name, source, paired):
    """What load(name, paired=paired) yields from `source`: "single", "paired" or "unpaired", else ValueError."""
    if source in PAIRED_SOURCES and not paired:
        raise ValueError(f"{source} pairs each {PAIRED_SOURCES[source]} with its colour original: pass paired=True")
    if source in ("tfds_domains", "folder_domains") and paired:
        raise ValueError(f"{name!r} holds unpaired domains A and B (CycleGAN): pass paired=False")
    if paired and source in (*translation.DIGIT_DOMAINS, *PAIRED_SOURCES, "folder"):
        return "paired"
    if source in (*translation.DIGIT_DOMAINS, "tfds_domains", "folder_domains"):
        return "unpaired"
    if paired:
        raise ValueError(
            f"{name!r} has one domain of images, not (input, target) pairs: paired=True needs "
            "digits2digits_m, mnist2mnist_m, colorization, edges2photos, super_resolution or a folder of side-by-side "
            "A|B images"
        )
    return "single"


def _single(name, source, split, with_labels, shuffle, seed, image_size, channels, num_samples, data_dir):
    """The `_Single` examples of a one-domain source."""
    if source in ("digits", "digits_m"):
        return _digits(name, split, with_labels, image_size, channels, num_samples)
    if source in REAL_SETS:
        return _real(name, split, with_labels, image_size, channels, num_samples, data_dir)
    if source in captions.SOURCES:
        return _captioned(name, split, with_labels, image_size, channels, num_samples)
    if source == "mixture":
        return _mixture(name, split, with_labels, image_size, channels, num_samples, seed)
    if source in offline.MOONS_NAMES:
        return _moons(name, split, with_labels, image_size, channels, num_samples)
    if source == "tfds":
        return _Single(*load_tfds(name, split, shuffle, seed, with_labels, image_size, channels, num_samples, data_dir))
    return _Single(*load_folder(os.path.expanduser(name), with_labels, image_size, channels, num_samples, split))


def _paired(name, source, split, image_size, channels, num_samples, direction):
    if source == "digits2digits_m":
        return translation.digits_pairs(split, image_size, channels, num_samples, direction)
    if source == "mnist2mnist_m":
        return translation.mnist_pairs(split, image_size, channels, num_samples, direction)
    if source == "colorization":
        return translation.colorization_pairs(split, image_size, channels, num_samples, direction)
    if source == "edges2photos":
        return translation.edges_pairs(split, image_size, channels, num_samples, direction)
    if source == "super_resolution":
        return translation.super_resolution_pairs(split, image_size, channels, num_samples, direction)
    return load_side_by_side(os.path.expanduser(name), split, image_size, channels, num_samples, direction)


def _unpaired(name, source, split, shuffle, seed, image_size, channels, num_samples, data_dir):
    if source == "digits2digits_m":
        return translation.digits_domains(split, image_size, channels, num_samples)
    if source == "mnist2mnist_m":
        return translation.mnist_domains(split, image_size, channels, num_samples, data_dir)
    if source == "tfds_domains":
        return load_tfds_domains(name, split, shuffle, seed, image_size, channels, num_samples, data_dir)
    return load_domain_folders(os.path.expanduser(name), split, image_size, channels, num_samples)


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
    paired=False,
    direction="a_to_b",
):
    """Loads a dataset as a batched tf.data pipeline of float32 images in [-1, 1].

    `name` is one of OFFLINE_NAMES, a TFDS name ("cifar10", "cycle_gan/horse2zebra", ...) or a
    folder of images; an offline name wins over TFDS's (mnist and fashion_mnist are read from
    installed packages, see mnist_sources), and a TFDS name over a same-named folder (write
    "./cifar10" for the folder). Batches are (batch, H, W, C) images, or (images, int32 labels) with `with_labels`; ring8 and
    grid25 yield (batch, 2) points and take `num_samples` draws (default 100,000) from
    numpy.random.default_rng(seed). moons and moons_rotated (DANN's toy domains, labels 0 and 1)
    yield (batch, 2) points of a fixed draw of `num_samples` (default 100) per split, train or
    test; `seed` only shuffles them. For other sources `num_samples` keeps the first examples.
    digits_m (digits blended with photo crops, MNIST-M) and the translation sets default to 32x32.
    mnist, fashion_mnist (grey) and mnist_m (colour; Ganin et al. 2016, arXiv:1505.07818) are
    28x28 with splits train (60,000) and test (10,000); image_size resizes them (4 or more) and
    channels=1 turns mnist_m grey (tf.image.rgb_to_grayscale), channels=3 repeats a grey set.

    Translation sets yield two domains. Unpaired (CycleGAN): digits2digits_m (digits, digits_m of
    other digits), mnist2mnist_m (MNIST digits of a split's first half, MNIST-M of its second half,
    28x28), a TFDS cycle_gan name with split "train" or "test" (its A and B splits) and a
    folder with trainA/trainB (testA/testB) subfolders give (images_a, images_b), each side
    shuffled on its own, the shorter one repeated. Paired (pix2pix), with `paired=True`:
    digits2digits_m and mnist2mnist_m (grey digit, its rendering over a photo), colorization (grey crop, colour crop),
    edges2photos (Canny edges of a crop of a packaged photo, the crop), super_resolution (a 64x64 crop of a
    packaged photo shrunk 4 times by bicubic interpolation, the crop; `image_size` sets the crop's side)
    and a folder of side-by-side A|B images (its `split` subfolder if it has one) give aligned
    (inputs, targets). `direction="b_to_a"` swaps A and B; in pairs `channels` converts only the inputs.

    A folder's split "test" is its test/ subfolder when it has train/ and test/ subfolders,
    else a fixed tenth of its images (permutation seed 0 of the sorted file list); "train" is the
    rest and "all" every image (kerasgan.data.folder_split). Folder files are checked when
    listed: other files and images that do not decode are skipped with a warning; mixed modes
    are converted to the majority's channels (a tie: RGB). Images of one size keep it; mixed sizes
    are centre-cropped to squares and resized to the smallest side of any image in the folder;
    with `image_size`, every image is centre-cropped to a square and resized to it (an image
    smaller than `image_size` is a ValueError). A dataset that would not fit in half of the
    machine's memory once cached is a ValueError.
    """
    name = os.fspath(name) if isinstance(name, os.PathLike) else name
    _check_arguments(name, image_size, batch_size, split, seed, num_samples, channels, paired, direction)
    source = _source(name)
    if source == "tfds" and domain_splits(name, split):
        source = "tfds_domains"
    domains = _domains(name, source, paired)
    if domains == "single":
        if direction != "a_to_b":
            raise ValueError(f"direction orders two domains, but {name!r} has one: leave direction='a_to_b'")
        single = _single(name, source, split, with_labels, shuffle, seed, image_size, channels, num_samples, data_dir)
        return batch_pipeline(
            single.dataset, batch_size, shuffle, seed, single.num_examples, name, single.cache, single.finish
        )
    if with_labels and source in translation.DIGIT_DOMAINS:
        domain_a, domain_b = translation.DIGIT_DOMAINS[source]
        raise ValueError(
            f"{source} yields two domains without labels: load {domain_a!r} and {domain_b!r} with labels separately"
        )
    if with_labels:
        raise ValueError(f"{name!r} yields two domains of images without labels: pass with_labels=False")
    if domains == "paired":
        dataset, num_examples = _paired(name, source, split, image_size, channels, num_samples, direction)
        return batch_pipeline(dataset, batch_size, shuffle, seed, num_examples, name)
    side_a, side_b = _unpaired(name, source, split, shuffle, seed, image_size, channels, num_samples, data_dir)
    if direction == "b_to_a":
        side_a, side_b = side_b, side_a
    dataset, num_examples = zip_unpaired(side_a, side_b, shuffle, seed)
    return batch_pipeline(dataset, batch_size, False, seed, num_examples, name, cache=False)


def unbatched(
    name,
    split="train",
    with_labels=False,
    shuffle=True,
    seed=0,
    image_size=None,
    channels=None,
    num_samples=None,
    data_dir=None,
):
    """One domain of `name` as load(name, ...) yields it before batching: an unbatched tf.data.Dataset and its size."""
    name = os.fspath(name) if isinstance(name, os.PathLike) else name
    _check_arguments(name, image_size, 1, split, seed, num_samples, channels, False, "a_to_b")
    source = _source(name)
    if source == "tfds" and domain_splits(name, split):
        source = "tfds_domains"
    if source in UNLABELLED_SOURCES or source == "tfds_domains":
        raise ValueError(f"{name!r} holds two domains of images: name a single domain, such as digits or digits_m")
    single = _single(name, source, split, with_labels, shuffle, seed, image_size, channels, num_samples, data_dir)
    dataset = single.dataset if single.finish is None else single.dataset.map(single.finish)
    return dataset, single.num_examples


def examples(name, split="test", count=None, image_size=None, **options):
    """Up to `count` (None: all) examples of `name`'s `split`, in order: a tuple of numpy arrays, one per part
    of an example ((images,), (images, labels), (inputs, targets), ...). `options` as `load` takes them."""
    loaded = load(name, image_size=image_size, batch_size=1, split=split, shuffle=False, **options).unbatch()
    batch = next(loaded.batch(count or 2**31 - 1).as_numpy_iterator())
    return batch if isinstance(batch, tuple) else (batch,)


def num_classes(name, data_dir=None):
    """How many labels `load(name, with_labels=True)` yields: 10 for digits(_m) and the MNIST sets, TFDS's count,
    or the class subfolders."""
    name = os.fspath(name) if isinstance(name, os.PathLike) else name
    source = _source(name)
    if source in ("digits", "digits_m") or source in REAL_SETS:
        return 10
    if source in offline.MOONS_NAMES:
        return 2
    if source in UNLABELLED_SOURCES:
        raise ValueError(
            f"{name!r} holds two domains of images without class labels: num_classes applies to labelled sets "
            "such as digits or digits_m"
        )
    if source == "mixture":
        return len(offline.mixture_means(name))
    if source == "tfds":
        return tfds_num_classes(name, data_dir)
    folder = os.path.expanduser(name)
    return len(class_names(folder, find_images(folder)))


def _source(name):
    """Which loader serves `name`: an offline name, "mixture", "tfds", "folder" or "folder_domains", else ValueError.

    An offline name wins over TFDS's (mnist), a TFDS name over a same-named folder (write "./cifar10" for the folder).
    """
    if name in offline.MIXTURE_NAMES:
        return "mixture"
    if name in offline.OFFLINE_NAMES:
        return name
    if not name.startswith((".", "/", "~")) and is_tfds_name(name):
        return "tfds"
    folder = os.path.expanduser(name)
    if os.path.isdir(folder):
        return "folder_domains" if has_domain_folders(folder) else "folder"
    if _looks_like_path(name):
        raise ValueError(
            f"no such folder: {name!r} (resolved to {os.path.abspath(folder)!r}): name an existing folder of images"
        )
    raise ValueError(
        f"unknown dataset {name!r}: use one of {', '.join(offline.OFFLINE_NAMES)}, "
        "a TFDS name such as cifar10, or the path of an existing folder of images (e.g. ./my_images)"
    )
