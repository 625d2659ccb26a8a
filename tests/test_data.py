"""Tests for kerasgan.data: offline sets, mixtures, TFDS (mocked) and image folders."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image
from sklearn.datasets import load_digits

from kerasgan import data
from kerasgan.data import loader, offline
from kerasgan.data.images import to_model_range
from kerasgan.data.pipeline import SHUFFLE_BUFFER, batch_pipeline
from kerasgan.data.tfds_source import is_tfds_name


def collect(dataset):
    """All batches of one epoch concatenated (a tuple of arrays when elements are tuples)."""
    batches = list(dataset.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*batches))
    return np.concatenate(batches)


# digits


def test_digits_batches_are_float_images_in_model_range():
    dataset = data.load("digits", batch_size=64)
    batches = list(dataset.as_numpy_iterator())
    assert dataset.element_spec.shape == (64, 8, 8, 1)
    assert dataset.element_spec.dtype == tf.float32
    assert len(batches) == int(1797 * 0.8) // 64
    images = np.concatenate(batches)
    assert images.min() == -1.0 and images.max() == 1.0


def test_digits_unshuffled_follow_the_split_order_of_scikit_learn():
    images, labels = collect(data.load("digits", batch_size=1, with_labels=True, shuffle=False))
    source = load_digits()
    indices = offline.split_indices(1797, "train")
    assert labels.dtype == np.int32 and labels.shape == (1437,)
    np.testing.assert_array_equal(labels, source.target[indices])
    np.testing.assert_allclose(images[..., 0], source.images[indices] / 8.0 - 1.0, atol=1e-6)
    assert set(labels) == set(range(10))


def test_digits_splits_are_disjoint_and_cover_all():
    train_indices, test_indices = offline.split_indices(1797, "train"), offline.split_indices(1797, "test")
    assert len(train_indices) == 1437 and len(test_indices) == 360
    assert not set(train_indices) & set(test_indices)
    assert sorted(np.concatenate([train_indices, test_indices])) == list(range(1797))
    splits = {
        split: collect(data.load("digits", batch_size=3, split=split, shuffle=False))
        for split in ("train", "test", "all")
    }
    assert [len(splits[s]) for s in ("train", "test", "all")] == [1437, 360, 1797]
    rows = lambda images: sorted(map(tuple, images.reshape(len(images), -1).round(4)))  # noqa: E731
    assert rows(np.concatenate([splits["train"], splits["test"]])) == rows(splits["all"])


def test_digits_split_does_not_depend_on_seed():
    first = collect(data.load("digits", batch_size=8, split="test", shuffle=False, seed=0))
    second = collect(data.load("digits", batch_size=8, split="test", shuffle=False, seed=5))
    np.testing.assert_array_equal(first, second)


def test_digits_resized_and_converted_to_rgb():
    images, labels = next(iter(data.load("digits", image_size=32, channels=3, batch_size=16, with_labels=True)))
    assert images.shape == (16, 32, 32, 3) and labels.shape == (16,)
    assert -1.0 <= float(tf.reduce_min(images)) < -0.99 and 0.9 < float(tf.reduce_max(images)) <= 1.0
    np.testing.assert_allclose(images[..., 0], images[..., 2], atol=1e-6)


def test_num_samples_keeps_the_first_examples():
    dataset = data.load("digits", batch_size=10, num_samples=100, shuffle=False)
    images = collect(dataset)
    assert images.shape == (100, 8, 8, 1)
    np.testing.assert_array_equal(images, collect(data.load("digits", batch_size=1, shuffle=False))[:100])


def test_shuffle_is_deterministic_per_seed_and_reshuffles_each_epoch():
    first = collect(data.load("digits", batch_size=3, seed=1))
    again = data.load("digits", batch_size=3, seed=1)
    epoch_1, epoch_2 = collect(again), collect(again)
    np.testing.assert_array_equal(first, epoch_1)
    assert not np.array_equal(epoch_1, epoch_2)
    assert not np.array_equal(first, collect(data.load("digits", batch_size=3, seed=2)))
    unshuffled = collect(data.load("digits", batch_size=3, shuffle=False))
    assert not np.array_equal(first, unshuffled)
    flat = lambda images: np.sort(images.reshape(-1))  # noqa: E731
    np.testing.assert_array_equal(flat(epoch_1), flat(epoch_2))


def test_dataset_is_finite():
    assert data.load("digits", batch_size=100).cardinality() == 14


# the pipeline: what moves through the shuffle, in which order, and where it is scaled


def shuffled_indices(num_examples, batch_size, seed, epochs):
    """The example indices of `epochs` epochs of tf.data's seeded shuffle, as load shuffles its examples."""
    indices = tf.data.Dataset.range(num_examples)
    indices = indices.shuffle(min(num_examples, SHUFFLE_BUFFER), seed=seed, reshuffle_each_iteration=True)
    return np.concatenate(list(indices.batch(batch_size, drop_remainder=True).repeat(epochs).as_numpy_iterator()))


@pytest.mark.parametrize("image_size, channels", [(None, None), (None, 3), (16, None)])
def test_shuffled_batches_are_the_seeded_shuffle_of_the_examples_each_epoch(image_size, channels):
    images, labels = offline.digits("train")
    dataset = data.load("digits", batch_size=50, seed=3, with_labels=True, image_size=image_size, channels=channels)
    got_images, got_labels = collect(dataset.repeat(2))
    order = shuffled_indices(len(images), 50, 3, epochs=2)
    size = None if image_size is None else (image_size, image_size)
    np.testing.assert_array_equal(got_labels, labels[order])
    np.testing.assert_array_equal(got_images, to_model_range(images[order], size, channels).numpy())
    assert got_images.dtype == np.float32 and got_images.min() >= -1.0 and got_images.max() <= 1.0


def test_in_memory_images_are_scaled_per_batch_as_each_image_would_be():
    images, labels = offline.digits("train")
    batch_images, batch_labels = next(iter(data.load("digits", batch_size=40, shuffle=False, with_labels=True, channels=3)))
    expected = np.stack([to_model_range(image, channels=3) for image in images[:40]])
    np.testing.assert_array_equal(batch_images.numpy(), expected)
    np.testing.assert_array_equal(batch_labels.numpy(), labels[:40])


def test_batch_pipeline_finishes_whole_batches():
    shapes = []

    def finish(batch):
        shapes.append(tuple(batch.shape))
        return tf.cast(batch, tf.float32) / 2

    dataset = batch_pipeline(tf.data.Dataset.range(10), 4, shuffle=False, num_examples=10, finish=finish)
    assert shapes == [(4,)]
    assert [batch.tolist() for batch in dataset.as_numpy_iterator()] == [[0, 0.5, 1, 1.5], [2, 2.5, 3, 3.5]]


def test_unbatched_examples_are_finished_like_loaded_ones():
    examples, size = loader.unbatched("digits", shuffle=False, channels=3, with_labels=True)
    assert size == 1437 and examples.element_spec[0] == tf.TensorSpec((8, 8, 3), tf.float32)
    images, labels = collect(examples.batch(1437))
    loaded_images, loaded_labels = collect(data.load("digits", batch_size=1437, shuffle=False, channels=3, with_labels=True))
    np.testing.assert_array_equal(images, loaded_images)
    np.testing.assert_array_equal(labels, loaded_labels)


# Gaussian mixtures (docs/protocols.md section 1)


def test_ring8_has_eight_distinct_modes_on_the_unit_circle():
    means = data.mixture_means("ring8")
    angles = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_allclose(means, np.stack([np.cos(angles), np.sin(angles)], 1), atol=1e-6)
    assert len(np.unique(means.round(6), axis=0)) == 8
    assert data.mixture_std("ring8") == 0.01


def test_grid25_has_25_modes_on_the_grid():
    means = data.mixture_means("grid25")
    assert {tuple(m) for m in means.tolist()} == {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert data.mixture_std("grid25") == 0.05


@pytest.mark.parametrize("name, modes", [("ring8", 8), ("grid25", 25)])
def test_mixture_samples_lie_near_their_mode(name, modes):
    dataset = data.load(name, batch_size=100, num_samples=5000, with_labels=True)
    assert dataset.element_spec[0].shape == (100, 2) and dataset.element_spec[0].dtype == tf.float32
    points, labels = collect(dataset)
    means, std = data.mixture_means(name), data.mixture_std(name)
    assert points.shape == (5000, 2) and set(labels) == set(range(modes))
    offsets = points - means[labels]
    np.testing.assert_allclose(offsets.std(axis=0), [std, std], rtol=0.1)
    assert np.abs(offsets.mean(axis=0)).max() < 0.1 * std
    assert np.linalg.norm(offsets, axis=1).max() < 6 * std
    nearest = np.argmin(np.linalg.norm(points[:, None] - means[None], axis=-1), axis=1)
    np.testing.assert_array_equal(nearest, labels)


def test_mixture_default_size_and_seed():
    assert data.load("ring8", batch_size=1000).cardinality() == 100
    first = collect(data.load("grid25", batch_size=50, num_samples=500, seed=3, shuffle=False))
    again = collect(data.load("grid25", batch_size=50, num_samples=500, seed=3, shuffle=False))
    other = collect(data.load("grid25", batch_size=50, num_samples=500, seed=4, shuffle=False))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    np.testing.assert_array_equal(first, offline.mixture("grid25", 500, seed=3)[0])


def test_mixture_errors():
    with pytest.raises(ValueError, match="ring8 yields 2-D points, not images"):
        data.load("ring8", image_size=32)
    with pytest.raises(ValueError, match="grid25 is sampled, not split"):
        data.load("grid25", split="test")
    with pytest.raises(ValueError, match="unknown mixture 'moons': use one of ring8, grid25"):
        data.mixture_means("moons")


# TFDS (mocked: no download; mnist and fashion_mnist are served offline, so kmnist stands in for a grey TFDS set)


def test_tfds_names_are_detected_offline():
    assert is_tfds_name("mnist") and is_tfds_name("cycle_gan/horse2zebra") and is_tfds_name("mnist:3.*.*")
    assert not is_tfds_name("xyz") and not is_tfds_name("My Folder") and not is_tfds_name("data/images")


@pytest.mark.parametrize("name, shape", [("kmnist", (28, 28, 1)), ("cifar10", (32, 32, 3))])
def test_tfds_images_and_labels(name, shape):
    with tfds.testing.mock_data(num_examples=20):
        dataset = data.load(name, batch_size=8, with_labels=True)
        images, labels = collect(dataset)
    assert dataset.element_spec[0].shape == (8, *shape)
    assert images.dtype == np.float32 and images.shape == (16, *shape)
    assert -1.0 <= images.min() < -0.9 and 0.9 < images.max() <= 1.0
    assert labels.dtype == np.int32 and labels.shape == (16,) and set(labels) <= set(range(10))


def test_tfds_resize_and_channels():
    with tfds.testing.mock_data(num_examples=8):
        images = collect(data.load("kmnist", image_size=16, channels=3, batch_size=4, split="test"))
        varying = data.load("cycle_gan/horse2zebra", split="trainA", image_size=12, batch_size=4)
        assert collect(varying).shape == (8, 12, 12, 3)
    assert images.shape == (8, 16, 16, 3)
    np.testing.assert_allclose(images[..., 0], images[..., 1])


def test_tfds_errors():
    with tfds.testing.mock_data(num_examples=10):
        with pytest.raises(ValueError, match=r"'kmnist' has 10 examples, fewer than batch_size=64: pass a"):
            data.load("kmnist", batch_size=64)
        with pytest.raises(ValueError, match=r"'imdb_reviews' has no 'image' feature \(it has: label, text\)"):
            data.load("imdb_reviews", batch_size=2)
        with pytest.raises(ValueError, match=r"needs a 'label' feature, but .* 'lsun' has only: id, image"):
            data.load("lsun", batch_size=2, image_size=8, with_labels=True)
        with pytest.raises(ValueError, match="varying size .* pass image_size"):
            data.load("cycle_gan/horse2zebra", split="trainA", batch_size=2)


# image folders


def save(path, mode, size, color):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)


@pytest.fixture
def mixed_folder(tmp_path):
    """Solid images of mixed modes, sizes and formats; sorted order is the order below."""
    save(tmp_path / "a_gray.png", "L", (12, 10), 51)
    save(tmp_path / "b_rgb.png", "RGB", (16, 16), (255, 0, 0))
    save(tmp_path / "c_rgba.PNG", "RGBA", (20, 8), (0, 255, 0, 128))
    save(tmp_path / "d.jpg", "RGB", (9, 9), (0, 0, 0))
    save(tmp_path / "e.bmp", "RGB", (5, 7), (255, 255, 255))
    save(tmp_path / "f.gif", "L", (6, 6), 255)
    save(tmp_path / "nested" / "deeper" / "g.png", "L", (3, 4), 0)
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_folder_of_mixed_sizes_uses_the_smallest_side_and_majority_channels(mixed_folder, caplog):
    with pytest.warns(UserWarning, match=r"skipped 1 of 8 files, .*'notes\.txt': not an image file"):
        dataset = data.load(str(mixed_folder), batch_size=1, shuffle=False)
    images = collect(dataset)
    assert dataset.element_spec.shape == (1, 3, 3, 3)  # 4 colour images, 3 grayscale; g.png is 3x4
    assert images.shape == (7, 3, 3, 3) and images.dtype == np.float32
    said = [record.getMessage() for record in caplog.records if "mixed sizes" in record.getMessage()]
    assert said == [
        f"{mixed_folder}: 7 images of mixed sizes 3x4 to 16x16: centre-cropped to squares and resized to 3x3 "
        "(pass image_size to choose)"
    ]
    np.testing.assert_allclose(images[0], 51 / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(images[1], np.broadcast_to([1.0, -1.0, -1.0], (3, 3, 3)), atol=1e-6)
    np.testing.assert_allclose(images[3], -1.0, atol=0.02)
    np.testing.assert_allclose(images[[4, 5]], 1.0, atol=1e-6)
    np.testing.assert_allclose(images[6], -1.0, atol=1e-6)


def test_folder_channels_and_image_size_override(mixed_folder):
    images = collect(data.load(mixed_folder, image_size=3, channels=1, batch_size=7, shuffle=False))
    assert images.shape == (7, 3, 3, 1)  # image_size at most the smallest image (3x4)
    np.testing.assert_allclose(images[0], 51 / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(images[1], 2 * 0.2989 - 1, atol=0.01)
    np.testing.assert_allclose(images[3], -1.0, atol=0.02)


def test_folder_with_rgb_first_gives_rgb_for_all(tmp_path):
    save(tmp_path / "0.png", "RGBA", (4, 6), (0, 0, 255, 0))
    save(tmp_path / "1.png", "L", (8, 8), 255)
    images = collect(data.load(str(tmp_path), batch_size=2, shuffle=False))
    assert images.shape == (2, 4, 4, 3)  # mixed sizes: squares of the smallest side
    np.testing.assert_allclose(images[1], 1.0, atol=1e-6)


def test_folder_class_subfolders_give_labels(tmp_path):
    for index, value in enumerate((10, 20, 30)):
        save(tmp_path / "cat" / f"{index}.png", "L", (4, 4), value)
    for index, value in enumerate((200, 210)):
        save(tmp_path / "dog" / "more" / f"{index}.jpeg", "L", (4, 4), value)
    images, labels = collect(data.load(str(tmp_path), batch_size=5, with_labels=True, shuffle=False))
    np.testing.assert_array_equal(labels, [0, 0, 0, 1, 1])
    assert labels.dtype == np.int32
    np.testing.assert_allclose(images[:, 0, 0, 0], np.array([10, 20, 30, 200, 210]) / 127.5 - 1, atol=0.02)
    shuffled_images, shuffled_labels = collect(data.load(str(tmp_path), batch_size=5, with_labels=True, seed=3))
    order = np.argsort(shuffled_images[:, 0, 0, 0])
    np.testing.assert_array_equal(shuffled_labels[order], [0, 0, 0, 1, 1])


def test_folder_errors(tmp_path, mixed_folder):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here")
    with pytest.raises(ValueError, match=r"no images in folder '.*empty': expected files ending in .*\.png"):
        data.load(str(empty))
    with pytest.raises(ValueError, match=r"needs one subfolder per class .* 6 images lie directly in it"):
        data.load(str(mixed_folder), with_labels=True, batch_size=1)
    with pytest.raises(ValueError, match=r"no such folder: './does_not_exist'"):
        data.load("./does_not_exist")
    with pytest.raises(ValueError, match=r"no such folder: 'some/missing/folder'"):
        data.load("some/missing/folder")
    with pytest.raises(ValueError, match=r"has 7 examples, fewer than batch_size=8: pass a smaller batch_size"):
        data.load(str(mixed_folder), batch_size=8)


# argument errors


def test_unknown_name():
    names = (
        "digits, digits_m, ring8, grid25, digits2digits_m, mnist2mnist_m, colorization, edges2photos, super_resolution, "
        "moons, moons_rotated, mnist, fashion_mnist, mnist_m, mnist_captions, fashion_mnist_captions"
    )
    with pytest.raises(ValueError, match=rf"unknown dataset 'xyz': use one of {names}, a TFDS name"):
        data.load("xyz")
    assert data.OFFLINE_NAMES == (
        "digits", "digits_m", "ring8", "grid25", "digits2digits_m", "mnist2mnist_m", "colorization", "edges2photos",
        "super_resolution", "moons", "moons_rotated", "mnist", "fashion_mnist", "mnist_m", "mnist_captions",
        "fashion_mnist_captions",
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"batch_size": 2.5}, "batch_size must be a positive integer, got 2.5"),
        ({"image_size": 0}, "image_size must be a positive integer or None, got 0"),
        ({"image_size": "32"}, "image_size must be a positive integer or None, got '32'"),
        ({"num_samples": -1}, "num_samples must be a positive integer or None, got -1"),
        ({"channels": 4}, "channels must be None, 1 or 3, got 4"),
        ({"seed": None}, "seed must be an integer, got None"),
        ({"split": "validation"}, "unknown split 'validation' for digits: use one of train, test, all"),
        ({"split": "test", "batch_size": 500}, "'digits' has 360 examples, fewer than batch_size=500"),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        data.load("digits", **kwargs)


def test_name_must_be_a_string():
    with pytest.raises(ValueError, match="name must be a dataset name or folder path"):
        data.load(3)


def test_num_classes_of_each_source(tmp_path):
    assert data.num_classes("digits") == 10
    assert data.num_classes("grid25") == 25
    with tfds.testing.mock_data(num_examples=4):
        assert data.num_classes("cifar10") == 10
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        Image.new("L", (4, 4)).save(tmp_path / name / "x.png")
    assert data.num_classes(str(tmp_path)) == 3
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        data.num_classes("nope")


def test_examples_are_a_split_in_order_as_arrays():
    from kerasgan.data import examples

    images, labels = examples("digits", "test", image_size=8, with_labels=True)
    assert images.shape == (360, 8, 8, 1) and labels.shape == (360,)
    (first,) = examples("digits", "test", count=5, image_size=8)
    np.testing.assert_array_equal(first, images[:5])
