"""The offline sources as numpy arrays: scikit-learn's digits and sample photos, 2-D Gaussian mixtures, two moons."""

import functools

import numpy as np
from sklearn.datasets import load_digits, load_sample_images, make_moons

OFFLINE_NAMES = (
    "digits",
    "digits_m",
    "ring8",
    "grid25",
    "digits2digits_m",
    "mnist2mnist_m",
    "colorization",
    "edges2photos",
    "super_resolution",
    "moons",
    "moons_rotated",
    "mnist",
    "fashion_mnist",
    "mnist_m",
    "mnist_captions",
    "fashion_mnist_captions",
)
DIGITS_SPLITS = ("train", "test", "all")
DEFAULT_NUM_SAMPLES = 100_000
TRAIN_FRACTION = 0.8

_GRID_AXIS = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
_RING_ANGLES = 2.0 * np.pi * np.arange(8) / 8
_MIXTURES = {
    "ring8": (np.stack([np.cos(_RING_ANGLES), np.sin(_RING_ANGLES)], axis=1), 0.01),
    "grid25": (np.stack(np.meshgrid(_GRID_AXIS, _GRID_AXIS, indexing="ij"), axis=-1).reshape(-1, 2), 0.05),
}
MIXTURE_NAMES = tuple(_MIXTURES)


def split_indices(num_examples, split):
    """Indices of `split` ("train", "test" or "all") in a fixed 80/20 split (permutation seed 0)."""
    if split not in DIGITS_SPLITS:
        raise ValueError(f"unknown split {split!r} for digits: use one of {', '.join(DIGITS_SPLITS)}")
    if split == "all":
        return np.arange(num_examples)
    order = np.random.default_rng(0).permutation(num_examples)
    num_train = int(TRAIN_FRACTION * num_examples)
    return order[:num_train] if split == "train" else order[num_train:]


def digits(split="train"):
    """scikit-learn's 8x8 digits as float32 images (N, 8, 8, 1) in [0, 1] and int32 labels (N,)."""
    bunch = load_digits()
    indices = split_indices(len(bunch.images), split)
    images = (bunch.images[indices] / 16.0).astype(np.float32)[..., np.newaxis]
    return images, bunch.target[indices].astype(np.int32)


@functools.lru_cache(maxsize=1)
def sample_photos():
    """scikit-learn's two sample photos, china.jpg and flower.jpg, as read-only float32 (2, 427, 640, 3) in [0, 1]."""
    photos = (np.stack(load_sample_images().images) / 255.0).astype(np.float32)
    photos.setflags(write=False)
    return photos


def _mixture(name):
    if name not in _MIXTURES:
        raise ValueError(f"unknown mixture {name!r}: use one of {', '.join(_MIXTURES)}")
    return _MIXTURES[name]


def mixture_means(name):
    """Mode means (K, 2) of ring8 or grid25, per the PacGAN protocol (Lin et al. 2018, arXiv:1712.04086)."""
    return _mixture(name)[0].astype(np.float32)


def mixture_std(name):
    """Per-axis standard deviation of every mode of ring8 (0.01) or grid25 (0.05), per PacGAN."""
    return _mixture(name)[1]


def mixture(name, num_samples=DEFAULT_NUM_SAMPLES, seed=0):
    """Draws float32 points (N, 2) and int32 mode indices (N,) from an equal-weight mixture (PacGAN)."""
    means, std = _mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, len(means), size=num_samples)
    points = means[modes] + std * rng.standard_normal((num_samples, 2))
    return points.astype(np.float32), modes.astype(np.int32)


MOONS_NAMES = ("moons", "moons_rotated")
MOONS_NOISE = 0.05
MOONS_ROTATION = 30.0
MOONS_CENTRE = (0.5, 0.25)
DEFAULT_MOONS_SAMPLES = 100
MOONS_RANDOM_STATES = {
    ("moons", "train"): 0,
    ("moons_rotated", "train"): 1,
    ("moons", "test"): 2,
    ("moons_rotated", "test"): 3,
}


def rotate(points, degrees, centre=MOONS_CENTRE):
    """Turns (N, 2) points counter-clockwise by `degrees` about `centre`."""
    angle = np.radians(degrees)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return (points - centre) @ rotation.T + centre


def moons(name="moons", split="train", num_samples=DEFAULT_MOONS_SAMPLES):
    """DANN's toy domains: make_moons points, float32 (N, 2), and int32 labels (N,) (docs/protocols.md section 2).

    A fixed draw per name and split (MOONS_RANDOM_STATES, noise 0.05), so train and test are
    fresh draws. moons_rotated is its own draw turned 30 degrees counter-clockwise about
    (0.5, 0.25), the centre of the noise-free moons (their mean and their bounding box's
    centre), the same point for every draw. Points keep make_moons' scale, about [-1, 2] x [-0.5, 1].
    """
    if name not in MOONS_NAMES:
        raise ValueError(f"unknown moons {name!r}: use one of {', '.join(MOONS_NAMES)}")
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r} for {name}: use one of train, test")
    points, labels = make_moons(num_samples, noise=MOONS_NOISE, random_state=MOONS_RANDOM_STATES[name, split])
    if name == "moons_rotated":
        points = rotate(points, MOONS_ROTATION)
    return points.astype(np.float32), labels.astype(np.int32)
