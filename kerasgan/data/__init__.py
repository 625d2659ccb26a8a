"""Datasets as batched tf.data pipelines: offline sets, TFDS names and image folders."""

from kerasgan.data.domain_adaptation import domain_adaptation
from kerasgan.data.loader import examples, load, num_classes
from kerasgan.data.offline import OFFLINE_NAMES, mixture_means, mixture_std

__all__ = ["OFFLINE_NAMES", "domain_adaptation", "examples", "load", "mixture_means", "mixture_std", "num_classes"]
