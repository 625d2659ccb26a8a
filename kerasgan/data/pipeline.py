"""The tf.data stages after a source: caching, shuffling, zipping unpaired domains, batching, per-batch maps and
prefetching."""

import os

import numpy as np
import tensorflow as tf

SHUFFLE_BUFFER = 10_000
MEMORY_SHARE = 0.5  # of the machine's memory, at most, for a cached dataset


def _memory_bytes():
    """The machine's physical memory in bytes, or None where the OS does not tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_cache_fits(dataset, num_examples, name):
    """ValueError when caching `num_examples` elements of `dataset` would take over MEMORY_SHARE of the memory."""
    memory = _memory_bytes()
    specs = tf.nest.flatten(dataset.element_spec)
    if memory is None or num_examples is None or not all(spec.shape.is_fully_defined() for spec in specs):
        return
    size = num_examples * sum(spec.shape.num_elements() * spec.dtype.size for spec in specs)
    if size > MEMORY_SHARE * memory:
        shapes = ", ".join(str(tuple(spec.shape)) for spec in specs)
        raise ValueError(
            f"{name!r} would take {size / 2**30:.1f} GiB in memory ({num_examples} examples of {shapes}), more than "
            f"half of this machine's {memory / 2**30:.0f} GiB: pass a smaller image_size or num_samples"
        )


def batch_pipeline(
    dataset, batch_size, shuffle=True, seed=0, num_examples=None, name="the dataset", cache=True, finish=None
):
    """Caches, shuffles (reshuffled each epoch), batches without remainder, finishes and prefetches a dataset.

    Args:
        dataset: the unbatched examples.
        batch_size: examples per batch; the last partial batch is dropped.
        shuffle: whether to shuffle (a buffer of up to SHUFFLE_BUFFER examples).
        seed: the shuffle's seed.
        num_examples: the dataset's size, when known: checked against batch_size and the memory.
        name: the dataset's name in messages.
        cache: whether to cache the examples in memory (after checking that they fit).
        finish: a map applied to each batch (vectorized: one call per batch, not per example), or None.
    """
    if num_examples is not None and num_examples < batch_size:
        raise ValueError(
            f"{name!r} has {num_examples} examples, fewer than batch_size={batch_size}: "
            "pass a smaller batch_size"
        )
    if cache:
        check_cache_fits(dataset, num_examples, name)
        dataset = dataset.cache()
    if shuffle:
        buffer_size = min(num_examples or SHUFFLE_BUFFER, SHUFFLE_BUFFER)
        dataset = dataset.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if finish is not None:
        dataset = dataset.map(finish)
    return dataset.prefetch(tf.data.AUTOTUNE)


def zip_unpaired(side_a, side_b, shuffle=True, seed=0):
    """Zips unpaired (dataset, size) domains A and B, each cached and shuffled with its own seed (CycleGAN).

    The shorter side repeats, so an epoch holds max(size_a, size_b) pairs; returns them and that count.
    """
    seeds = np.random.SeedSequence(seed).generate_state(2)
    sides = []
    for (dataset, size), side_seed in zip((side_a, side_b), seeds):
        dataset = dataset.cache()
        if shuffle:
            dataset = dataset.shuffle(min(size, SHUFFLE_BUFFER), seed=int(side_seed), reshuffle_each_iteration=True)
        sides.append(dataset.repeat())
    num_pairs = max(side_a[1], side_b[1])
    return tf.data.Dataset.zip(tuple(sides)).take(num_pairs), num_pairs
