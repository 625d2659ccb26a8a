"""Captions for MNIST and Fashion-MNIST: the class and two attributes measured from each image, in several
phrasings, for text-to-image models (Reed et al. 2016, arXiv:1605.05396, trained on captioned birds and flowers;
these sets are captioned by rule instead).

Attributes, each in three levels cut at the terciles of the image's class in the train split:
- MNIST: stroke thickness (ink pixels over the digit's skeleton length, approximated by ink over the bounding
  box's height plus width: thin, medium, thick) and size (the bounding box's area: small, mid-sized, large);
- Fashion-MNIST: brightness (the mean of the item's pixels: dark, grey, light) and size (as MNIST's).

Each image gets one phrasing, drawn with a fixed seed: the train split from TRAIN_TEMPLATES, the test split from
TEST_TEMPLATES, word orders a model never trained on (with no new word: a word never seen in training has no
learnt meaning). Its "wrong" caption describes an image of another class (the
mismatched text of the matching-aware discriminator, and the second end of GAN-INT's interpolation).
"""
import functools

import numpy as np

from kerasgan import text
from kerasgan.data import mnist_sources

MNIST_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
FASHION_NAMES = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot")
LEVELS = {
    "mnist": (("thin", "medium", "thick"), ("small", "mid-sized", "large")),
    "fashion_mnist": (("dark", "grey", "light"), ("small", "mid-sized", "large")),
}
TRAIN_TEMPLATES = ("a {first} {name}", "a {second} {name}", "{name}, {first} and {second}", "the {name}, {second}",
                   "a {second} {first} {name}")
# the same words in orders the training captions never use
TEST_TEMPLATES = ("the {first} {name}, {second}", "{second} and {first}, a {name}")
SOURCES = {"mnist_captions": "mnist", "fashion_mnist_captions": "fashion_mnist"}
SPLIT_SEEDS = {"train": 0, "test": 1}
INK = 0.5  # a pixel is ink (or item) above half brightness


def _measure(images, dataset):
    """(first attribute, size) of each image (N, 28, 28, 1) uint8."""
    ink = images[..., 0] >= INK * 255
    rows, columns = ink.any(axis=2), ink.any(axis=1)
    height = np.maximum(rows.sum(axis=1), 1)
    width = np.maximum(columns.sum(axis=1), 1)
    size = (height * width).astype(np.float64)
    if dataset == "mnist":
        first = ink.sum(axis=(1, 2)) / (height + width)  # ink per unit of stroke length
    else:
        first = np.where(ink, images[..., 0], 0).sum(axis=(1, 2)) / np.maximum(ink.sum(axis=(1, 2)), 1)
    return first, size


@functools.lru_cache(maxsize=2)
def _terciles(dataset):
    """{class: (first attribute's cut points, size's)} on the train split."""
    images, labels = getattr(mnist_sources, dataset)("train")
    first, size = _measure(images, dataset)
    return {label: (np.quantile(first[labels == label], [1 / 3, 2 / 3]), np.quantile(size[labels == label], [1 / 3, 2 / 3]))
            for label in range(10)}


def _name(dataset, label):
    return (MNIST_NAMES if dataset == "mnist" else FASHION_NAMES)[label]


@functools.lru_cache(maxsize=4)
def captions(name, split):
    """(images uint8 (N, 28, 28, 1), labels, captions, wrong captions) of `name` ("mnist_captions" or
    "fashion_mnist_captions") and `split` ("train" or "test")."""
    dataset = SOURCES[name]
    images, labels = getattr(mnist_sources, dataset)(split)
    first, size = _measure(images, dataset)
    cuts = _terciles(dataset)
    first_words, size_words = LEVELS[dataset]
    rng = np.random.default_rng(SPLIT_SEEDS[split])
    templates = TRAIN_TEMPLATES if split == "train" else TEST_TEMPLATES
    chosen = rng.integers(0, len(templates), len(labels))
    texts = []
    for index, label in enumerate(labels):
        first_cut, size_cut = cuts[int(label)]
        texts.append(templates[chosen[index]].format(
            first=first_words[int(np.searchsorted(first_cut, first[index]))],
            second=size_words[int(np.searchsorted(size_cut, size[index]))],
            name=_name(dataset, int(label)),
        ))
    wrong = (np.arange(len(labels)) + rng.integers(1, len(labels), len(labels))) % len(labels)
    wrong = np.array([w if labels[w] != labels[i] else _other_class(labels, i) for i, w in enumerate(wrong)])
    return images, labels, tuple(texts), tuple(texts[w] for w in wrong)


def _other_class(labels, index):
    """The first image whose class is not image `index`'s."""
    return int(np.argmax(labels != labels[index]))


def tokens(name, split):
    """(images, caption ids, wrong caption ids) of `name`'s split: what load(name) yields, before scaling."""
    images, _, texts, wrong = captions(name, split)
    return images, text.tokenize(texts), text.tokenize(wrong)


def class_captions(name):
    """One caption per class of `name`, its middle attribute levels: what a model trained on it draws by default."""
    dataset = SOURCES[name]
    first, second = LEVELS[dataset]
    return [f"a {second[1]} {first[1]} {_name(dataset, label)}" for label in range(10)]
