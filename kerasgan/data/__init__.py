"""Datasets as batched tf.data pipelines: offline sets, TFDS names and image folders."""

from kerasgan.data.loader import load, num_classes
from kerasgan.data.offline import OFFLINE_NAMES, mixture_means, mixture_std

__all__ = ["OFFLINE_NAMES", "load", "mixture_means", "mixture_std", "num_classes"]
