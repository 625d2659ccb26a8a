"""TensorFlow Datasets with an "image" feature, read with tfds.load."""

import functools
import inspect
import socket
import urllib.parse

import tensorflow as tf
import tensorflow_datasets as tfds

from kerasgan.data.images import to_model_range

UNPAIRED_TFDS = ("cycle_gan",)
DOMAIN_SPLITS = ("train", "test")
IMPORTLIB_RESOURCES_FIX = "pip install importlib_resources"
_TFDS_DOWNLOAD = inspect.getattr_static(tfds.core.DatasetBuilder, "download_and_prepare")


def _one_line_errors(function):
    """Turns TFDS's ModuleNotFoundError for importlib_resources into a ValueError naming the fix.

    tensorflow-datasets 4.9.10 imports importlib_resources to locate a dataset's download list
    but declares it only for Python < 3.9, so without it every download fails.
    """

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ModuleNotFoundError as error:
            if error.name != "importlib_resources":
                raise
            raise ValueError(
                "TFDS needs the importlib_resources package, which tensorflow-datasets does not install on "
                f"Python 3.9 and later: {IMPORTLIB_RESOURCES_FIX}"
            ) from None

    return wrapped


def _builder(name, data_dir):
    return tfds.builder(name, **({} if data_dir is None else {"data_dir": data_dir}))


def _unresolved_hosts(builder):
    """The hosts of the dataset's download URLs when none of them resolves (no network), else an empty list."""
    try:
        urls = builder.url_infos or {}
    except ModuleNotFoundError:
        raise
    except Exception:  # a builder without a download list: let TFDS try
        return []
    hosts = sorted({urllib.parse.urlparse(url).hostname for url in urls} - {None})
    for host in hosts:
        try:
            socket.getaddrinfo(host, None)
            return []
        except OSError:
            continue
    return hosts


def ensure_prepared(name, builder):
    """Downloads and prepares the dataset unless TFDS has it already; one-line ValueError when that cannot be done.

    Without network TFDS retries every download for minutes, so when no host of the dataset's
    download list resolves the error comes at once (unless tfds.testing.mock_data stands in).
    """
    if builder.is_prepared():
        return
    where = f"TFDS dataset {name!r} is not prepared in {builder.data_dir} and cannot be downloaded here"
    fix = f"run `tfds build {name}` where there is network and copy the result there, or pass data_dir"
    if inspect.getattr_static(type(builder), "download_and_prepare") is _TFDS_DOWNLOAD:
        hosts = _unresolved_hosts(builder)
        if hosts:
            raise ValueError(f"{where}: no network (cannot resolve {', '.join(hosts[:3])}): {fix}")
    try:
        builder.download_and_prepare()
    except ModuleNotFoundError:
        raise
    except Exception as error:
        message = " ".join(str(error).split())[:300]
        raise ValueError(f"{where}: {type(error).__name__}: {message}: {fix}") from None


def is_tfds_name(name):
    """Whether `name` ("mnist", "cycle_gan/horse2zebra", ...) is in the installed TFDS catalog, offline."""
    try:
        dataset_name, _ = tfds.core.naming.parse_builder_name_kwargs(name)
        tfds.builder_cls(str(dataset_name))
    except ValueError:  # unparsable name, or tfds.core.registered.DatasetNotFoundError
        return False
    return True


def _image_features(builder, name, with_labels):
    """Checks the dataset's features offline and returns the static shape of its images."""
    features = builder.info.features
    have = ", ".join(sorted(features.keys()))
    if "image" not in features.keys():
        raise ValueError(f"TFDS dataset {name!r} has no 'image' feature (it has: {have})")
    if with_labels and "label" not in features.keys():
        raise ValueError(
            f"with_labels=True needs a 'label' feature, but TFDS dataset {name!r} has only: {have}"
        )
    return tuple(features["image"].shape)


@_one_line_errors
def load_tfds(name, split, shuffle, seed, with_labels, image_size, channels, num_samples, data_dir):
    """Returns the unbatched (image[, label]) dataset in [-1, 1] and its example count (None if unknown)."""
    builder = _builder(name, data_dir)
    image_shape = _image_features(builder, name, with_labels)
    if image_size is None and None in image_shape[:2]:
        raise ValueError(f"TFDS dataset {name!r} has images of varying size {image_shape}: pass image_size")
    ensure_prepared(name, builder)
    kwargs = {} if data_dir is None else {"data_dir": data_dir}
    dataset = tfds.load(
        name, split=split, shuffle_files=shuffle, read_config=tfds.ReadConfig(shuffle_seed=seed), **kwargs
    )
    if num_samples is not None:
        dataset = dataset.take(num_samples)
    size = None if image_size is None else (image_size, image_size)

    def prepare(example):
        image = to_model_range(example["image"], size, channels)
        return (image, tf.cast(example["label"], tf.int32)) if with_labels else image

    num_examples = int(dataset.cardinality())
    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, (num_examples if num_examples >= 0 else None)


@_one_line_errors
def tfds_num_classes(name, data_dir=None):
    """The `label` feature's class count, read offline from the dataset's info."""
    features = _builder(name, data_dir).info.features
    if "label" not in features:
        raise ValueError(f"TFDS dataset {name!r} has no label feature (it has {', '.join(features)})")
    return int(features["label"].num_classes)


def domain_splits(name, split):
    """(split + "A", split + "B") for split "train" or "test" of a CycleGAN dataset (UNPAIRED_TFDS), else None."""
    dataset_name, _ = tfds.core.naming.parse_builder_name_kwargs(name)
    if dataset_name.name in UNPAIRED_TFDS and split in DOMAIN_SPLITS:
        return split + "A", split + "B"
    return None


def load_tfds_domains(name, split, shuffle, seed, image_size, channels, num_samples, data_dir):
    """Unbatched image datasets in [-1, 1] and sizes of the A and B splits of a CycleGAN dataset's `split`."""
    return tuple(
        load_tfds(name, domain_split, shuffle, seed, False, image_size, channels, num_samples, data_dir)
        for domain_split in domain_splits(name, split)
    )
