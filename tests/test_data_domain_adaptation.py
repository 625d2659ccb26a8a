"""Tests for kerasgan.data's domain adaptation: the moons domains and DANN's half-source, half-target batches."""

import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import make_moons

from kerasgan import data
from kerasgan.data import offline


def collect(dataset):
    """All batches of one epoch concatenated, as a structure like the dataset's elements."""
    batches = list(dataset.as_numpy_iterator())
    return tf.nest.map_structure(lambda *parts: np.concatenate(parts), *batches)


def rows(points):
    return [tuple(point.round(5)) for point in points]


def principal_angle(points):
    """The direction of the points' largest variance, in degrees in [0, 180)."""
    _, vectors = np.linalg.eigh(np.cov(points.T))
    return np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1])) % 180


# moons


def test_moons_are_labelled_2d_points():
    dataset = data.load("moons", with_labels=True, batch_size=10, shuffle=False)
    points, labels = collect(dataset)
    assert dataset.element_spec[0].shape == (10, 2) and dataset.element_spec[0].dtype == tf.float32
    assert dataset.element_spec[1].shape == (10,) and dataset.element_spec[1].dtype == tf.int32
    expected_points, expected_labels = offline.moons("moons", "train")
    np.testing.assert_array_equal(points, expected_points)
    np.testing.assert_array_equal(labels, expected_labels)
    assert np.bincount(labels).tolist() == [50, 50]
    assert data.load("moons_rotated", batch_size=8).element_spec.shape == (8, 2)
    assert len(collect(data.load("moons", num_samples=40, batch_size=8))) == 40
    assert data.num_classes("moons") == data.num_classes("moons_rotated") == 2


def test_moons_are_make_moons_draws_and_the_target_is_turned_30_degrees_about_the_centre():
    for split in ("train", "test"):
        source, source_labels = offline.moons("moons", split)
        target, target_labels = offline.moons("moons_rotated", split)
        draws = {
            name: make_moons(100, noise=0.05, random_state=offline.MOONS_RANDOM_STATES[name, split])
            for name in offline.MOONS_NAMES
        }
        np.testing.assert_allclose(source, draws["moons"][0], atol=1e-6)
        np.testing.assert_allclose(offline.rotate(target, -30.0), draws["moons_rotated"][0], atol=1e-5)
        np.testing.assert_array_equal(target_labels, draws["moons_rotated"][1])
        assert abs((principal_angle(target) - principal_angle(source)) % 180 - 30.0) < 2.0
        np.testing.assert_allclose(target.mean(axis=0), offline.MOONS_CENTRE, atol=0.02)
        np.testing.assert_allclose(source.mean(axis=0), offline.MOONS_CENTRE, atol=0.02)
    assert not set(rows(offline.moons("moons", "train")[0])) & set(rows(offline.moons("moons", "test")[0]))
    unturned = offline.rotate(offline.moons("moons_rotated", "train")[0], -30.0)
    assert not set(rows(unturned)) & set(rows(offline.moons("moons", "train")[0]))
    np.testing.assert_allclose(offline.rotate(np.array([[1.5, 0.25]]), 90.0), [[0.5, 1.25]], atol=1e-12)


def test_moons_errors():
    with pytest.raises(ValueError, match="moons yields 2-D points, not images: image_size and channels do not apply"):
        data.load("moons", image_size=8)
    with pytest.raises(ValueError, match="unknown split 'all' for moons_rotated: use one of train, test"):
        data.load("moons_rotated", split="all")


# domain_adaptation


def test_moons_batches_are_half_source_half_target():
    dataset = data.domain_adaptation("moons", "moons_rotated", batch_size=64)
    (source, target), labels = collect(dataset)
    spec = dataset.element_spec
    assert spec[0][0].shape == spec[0][1].shape == (32, 2) and spec[1].shape == (32,)
    assert spec[0][0].dtype == spec[0][1].dtype == tf.float32 and spec[1].dtype == tf.int32
    assert len(tf.nest.flatten(spec)) == 3 and int(dataset.cardinality()) == 100 // 32
    label_of = dict(zip(rows(offline.moons("moons")[0]), offline.moons("moons")[1]))
    assert [label_of[row] for row in rows(source)] == labels.tolist()
    assert set(rows(target)) <= set(rows(offline.moons("moons_rotated")[0]))
    assert len(set(rows(source))) == len(set(rows(target))) == 96


def test_target_labels_never_appear():
    source = tf.data.Dataset.from_tensor_slices((np.zeros((6, 3), "float32"), np.arange(6, dtype="int32")))
    target = tf.data.Dataset.from_tensor_slices((np.ones((4, 3), "float32"), np.full(4, 99, "int32")))
    dataset = data.domain_adaptation(source, target, batch_size=4, shuffle=False)
    (source_x, target_x), labels = collect(dataset)
    assert len(tf.nest.flatten(dataset.element_spec)) == 3
    assert labels.tolist() == list(range(6)) and 99 not in labels
    np.testing.assert_array_equal(source_x, 0.0)
    np.testing.assert_array_equal(target_x, 1.0)


@pytest.mark.parametrize("source_size, target_size", [(10, 25), (25, 10)])
def test_an_epoch_covers_the_larger_domain_once_and_repeats_the_smaller(source_size, target_size):
    source_x, labels = np.arange(source_size, dtype="float32"), np.zeros(source_size, "int32")
    source = tf.data.Dataset.from_tensor_slices((source_x, labels))
    target = tf.data.Dataset.from_tensor_slices(np.arange(target_size, dtype="float32") + 100)
    dataset = data.domain_adaptation(source, target, batch_size=10, seed=1)
    first, second = collect(dataset), collect(dataset)
    (source_x, target_x), _ = first
    assert int(dataset.cardinality()) == len(list(dataset)) == 5
    larger, smaller = (source_x, target_x - 100) if source_size > target_size else (target_x - 100, source_x)
    assert sorted(larger.tolist()) == list(range(25))
    assert set(smaller.tolist()) == set(range(10)) and len(smaller) == 25
    assert not np.array_equal(first[0][0], second[0][0])
    again = collect(data.domain_adaptation(source, target, batch_size=10, seed=1))
    np.testing.assert_array_equal(again[0][0], first[0][0])


def test_digits_to_digits_m_as_three_channel_images():
    dataset = data.domain_adaptation("digits", "digits_m", image_size=16, channels=3, split="test", batch_size=16)
    assert dataset.element_spec[0][0].shape == dataset.element_spec[0][1].shape == (8, 16, 16, 3)
    assert int(dataset.cardinality()) == 360 // 8
    (digits, blends), labels = next(iter(dataset))
    np.testing.assert_array_equal(digits[..., 0], digits[..., 2])
    assert not np.array_equal(blends[..., 0], blends[..., 2])
    assert -1.0 <= float(tf.reduce_min(blends)) and float(tf.reduce_max(blends)) <= 1.0
    assert labels.dtype == tf.int32 and set(labels.numpy()) <= set(range(10))


def labelled(size, shape=(2,)):
    return tf.data.Dataset.from_tensor_slices((np.zeros((size,) + shape, "float32"), np.zeros(size, "int32")))


@pytest.mark.parametrize(
    "domains, kwargs, message",
    [
        (lambda: ("moons", "moons_rotated"), {"batch_size": 7}, "batch_size must be even, half source and half target"),
        (lambda: ("moons", "moons_rotated"), {"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        (lambda: (labelled(4), labelled(4)), {"seed": None}, "seed must be an integer, got None"),
        (
            lambda: ("moons", "moons_rotated"),
            {"batch_size": 202},
            "the larger domain has 100 examples, fewer than batch_size // 2 = 101: pass a smaller batch_size",
        ),
        (
            lambda: ("digits", "digits_m"),
            {},
            r"target examples of shape \(32, 32, 3\) \(float32\) but source examples of shape \(8, 8, 1\) .* "
            "pass image_size and channels",
        ),
        (
            lambda: (labelled(4), labelled(4, (3,))),
            {},
            r"target examples of shape \(3,\) \(float32\) but source examples of shape \(2,\)",
        ),
        (lambda: (labelled(4), labelled(0)), {}, "the target dataset is empty: domain adaptation needs examples"),
        (lambda: (labelled(0), labelled(4)), {}, "the source dataset is empty"),
        (lambda: (labelled(4), labelled(4).repeat()), {}, "the target dataset is infinite: pass one epoch of it"),
        (
            lambda: (labelled(4), labelled(4).filter(lambda x, y: True)),
            {},
            r"the target dataset has an unknown number of examples .*assert_cardinality\(n\)",
        ),
        (
            lambda: (labelled(4).map(lambda x, y: x), "moons"),
            {},
            r"the source must yield labelled \(x, y\) examples, got element_spec .*: add its labels",
        ),
        (
            lambda: ("digits2digits_m", "digits_m"),
            {},
            "'digits2digits_m' holds two domains of images: name a single domain, such as digits or digits_m",
        ),
        (
            lambda: (labelled(4), labelled(4)),
            {"image_size": 8, "split": "test"},
            "split, image_size only apply to dataset names, but source and target are both tf.data.Datasets",
        ),
        (lambda: (np.zeros((4, 2)), "moons"), {}, "source must be a dataset name or an unbatched tf.data.Dataset"),
    ],
)
def test_domain_adaptation_errors(domains, kwargs, message):
    source, target = domains()
    with pytest.raises(ValueError, match=message):
        data.domain_adaptation(source, target, **{"batch_size": 4, **kwargs})
