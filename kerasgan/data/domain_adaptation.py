"""DANN's batches: half labelled source, half unlabelled target examples (Ganin et al. 2016, arXiv:1505.07818)."""

import numbers
import os

import tensorflow as tf

from kerasgan.data.loader import unbatched
from kerasgan.data.pipeline import batch_pipeline, zip_unpaired


def _check_arguments(batch_size, seed):
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if batch_size % 2:
        raise ValueError(f"batch_size must be even, half source and half target examples, got {batch_size}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")


def _is_name(side):
    return isinstance(side, (str, os.PathLike))


def _side(side, role, labelled, load_kwargs):
    """(dataset, size) of one domain: `side` loaded by name, or checked as a finite unbatched tf.data.Dataset."""
    if _is_name(side):
        return unbatched(side, with_labels=labelled, **load_kwargs)
    if not isinstance(side, tf.data.Dataset):
        raise ValueError(f"{role} must be a dataset name or an unbatched tf.data.Dataset, got {side!r}")
    size = int(side.cardinality())
    if size == 0:
        raise ValueError(f"the {role} dataset is empty: domain adaptation needs examples of both domains")
    if size == tf.data.INFINITE_CARDINALITY:
        raise ValueError(f"the {role} dataset is infinite: pass one epoch of it, without repeat()")
    if size == tf.data.UNKNOWN_CARDINALITY:
        raise ValueError(
            f"the {role} dataset has an unknown number of examples (after filter or unbatch): "
            "state it with dataset.apply(tf.data.experimental.assert_cardinality(n))"
        )
    return side, size


def _features(dataset, role, labelled):
    """The dataset of x alone for the target, of (x, y) for the source, checking its structure."""
    spec = dataset.element_spec
    pair = isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(part, tf.TensorSpec) for part in spec)
    if labelled and not pair:
        raise ValueError(f"the source must yield labelled (x, y) examples, got element_spec {spec}: add its labels")
    if labelled or isinstance(spec, tf.TensorSpec):
        return dataset
    if not pair:
        raise ValueError(f"the target must yield x or (x, y) examples, got element_spec {spec}")
    return dataset.map(lambda x, y: x)


def _check_shapes(source, target):
    source_spec, target_spec = source.element_spec[0], target.element_spec
    if not source_spec.shape.is_compatible_with(target_spec.shape) or source_spec.dtype != target_spec.dtype:
        raise ValueError(
            f"target examples of shape {target_spec.shape} ({target_spec.dtype.name}) but source examples of "
            f"shape {source_spec.shape} ({source_spec.dtype.name}): one feature extractor reads both, so make "
            "them match (by name: pass image_size and channels, e.g. image_size=32, channels=3)"
        )


def domain_adaptation(
    source,
    target,
    batch_size=64,
    seed=0,
    shuffle=True,
    split="train",
    image_size=None,
    channels=None,
    num_samples=None,
    data_dir=None,
):
    """Batches ((source_x, target_x), source_y) with batch_size // 2 examples of each domain; target labels dropped.

    `source` and `target` are dataset names, loaded as load(name, ...) loads them with the other
    keyword arguments applied to both (the source with its labels, the target without), or
    finite unbatched tf.data.Datasets: the source of (x, y), the target of x or (x, y). Each
    domain is cached and shuffled with its own seed drawn from `seed`, the smaller one repeated,
    so an epoch holds max(source size, target size) // (batch_size // 2) batches (as the
    unpaired translation sets). DANN on the moons: domain_adaptation("moons", "moons_rotated");
    on digits -> digits_m: domain_adaptation("digits", "digits_m", image_size=32, channels=3).
    """
    _check_arguments(batch_size, seed)
    load_kwargs = {
        "split": split,
        "image_size": image_size,
        "channels": channels,
        "num_samples": num_samples,
        "data_dir": data_dir,
    }
    given = [key for key, value in load_kwargs.items() if value not in (None, "train")]
    if given and not (_is_name(source) or _is_name(target)):
        raise ValueError(
            f"{', '.join(given)} only apply to dataset names, but source and target are both tf.data.Datasets: "
            "apply them to the datasets yourself"
        )
    load_kwargs.update(shuffle=shuffle, seed=seed)
    source, source_size = _side(source, "source", True, load_kwargs)
    target, target_size = _side(target, "target", False, load_kwargs)
    source, target = _features(source, "source", True), _features(target, "target", False)
    _check_shapes(source, target)
    half = batch_size // 2
    if max(source_size, target_size) < half:
        raise ValueError(
            f"the larger domain has {max(source_size, target_size)} examples, fewer than batch_size // 2 = {half}: "
            "pass a smaller batch_size"
        )
    pairs, num_pairs = zip_unpaired((source, source_size), (target, target_size), shuffle, seed)
    pairs = pairs.map(lambda labelled, target_x: ((labelled[0], target_x), labelled[1]))
    return batch_pipeline(pairs, half, False, seed, num_pairs, "source and target", cache=False)
