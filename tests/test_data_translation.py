"""Tests for kerasgan.data's translation sets: digits_m, digits2digits_m, colorization, two-domain folders and TFDS."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image
from skimage import feature
from sklearn.datasets import load_sample_images

from kerasgan import data
from kerasgan.data import colorization, digits_m, offline, tfds_source


def collect(dataset):
    """All batches of one epoch concatenated (a tuple of arrays when elements are tuples)."""
    batches = list(dataset.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*batches))
    return np.concatenate(batches)


def rows(images):
    """Each image as a hashable row of rounded values, to compare images across loaders."""
    return [tuple(image.reshape(-1).round(4)) for image in images]


# digits_m


def test_digits_m_batches_are_rgb_images_in_model_range_with_the_digits_labels():
    dataset = data.load("digits_m", image_size=16, batch_size=32, with_labels=True, shuffle=False)
    images, labels = collect(dataset)
    assert dataset.element_spec[0].shape == (32, 16, 16, 3) and dataset.element_spec[0].dtype == tf.float32
    assert images.shape == (1437 // 32 * 32, 16, 16, 3)
    assert -1.0 <= images.min() < -0.9 and 0.9 < images.max() <= 1.0
    np.testing.assert_array_equal(labels, offline.digits("train")[1][: len(labels)])
    assert data.load("digits_m", batch_size=8).element_spec.shape == (8, 32, 32, 3)
    assert data.load("digits_m", image_size=8, channels=1, batch_size=8).element_spec.shape == (8, 8, 8, 1)


def test_digits_m_is_the_absolute_difference_of_a_photo_crop_and_the_digit():
    blends, _ = digits_m.digits_m("test", 16)
    digits = (collect(data.load("digits", image_size=16, split="test", batch_size=40, shuffle=False)) + 1) / 2
    photos = np.stack(load_sample_images().images) / 255.0
    photo, top, left = digits_m.crop_corners(1797, 16)
    for position, index in enumerate(offline.split_indices(1797, "test")[:5]):
        crop = photos[photo[index], top[index] : top[index] + 16, left[index] : left[index] + 16]
        np.testing.assert_allclose(blends[position], np.abs(crop - digits[position]), atol=1e-5)
    assert len({tuple(corner) for corner in zip(photo, top, left)}) > 1700
    assert set(photo) == {0, 1}


def test_digits_m_renders_a_digit_alike_in_every_split():
    everything, _ = digits_m.digits_m("all", 8)
    test, _ = digits_m.digits_m("test", 8)
    np.testing.assert_array_equal(test, everything[offline.split_indices(1797, "test")])


def test_digits_m_image_size_beyond_the_photos_is_refused():
    with pytest.raises(ValueError, match=r"digits_m crops 427x640 px photos: image_size must be at most 427, got 512"):
        data.load("digits_m", image_size=512)


# digits2digits_m


def test_digits_m_light_backgrounds_are_the_reversed_polarity_third():
    digits, blends, _ = digits_m.render("test", 16)
    light = digits_m.light_backgrounds("test", 16)
    assert light.shape == (360,) and 0.25 < light.mean() < 0.45
    grey = blends.mean(axis=-1)
    stroke = np.array([image[mask].mean() for image, mask in zip(grey, digits[..., 0] > 0.75)])
    background = np.array([image[mask].mean() for image, mask in zip(grey, digits[..., 0] < 0.1)])
    assert (stroke[light] < background[light]).mean() > 0.85  # dark digits on light photos
    assert (stroke[~light] > background[~light]).mean() > 0.85  # light digits, as in digits


def test_digits2digits_m_pairs_each_digit_with_its_digits_m_rendering():
    dataset = data.load("digits2digits_m", paired=True, image_size=8, split="test", batch_size=36, shuffle=False)
    inputs, targets = collect(dataset)
    assert dataset.element_spec[0].shape == (36, 8, 8, 1) and dataset.element_spec[1].shape == (36, 8, 8, 3)
    assert inputs.dtype == targets.dtype == np.float32 and len(inputs) == 360
    assert -1.0 <= min(inputs.min(), targets.min()) and max(inputs.max(), targets.max()) <= 1.0
    digits = collect(data.load("digits", image_size=8, split="test", batch_size=36, shuffle=False))
    single = collect(data.load("digits_m", image_size=8, split="test", batch_size=36, shuffle=False))
    np.testing.assert_allclose(inputs, digits, atol=1e-6)
    np.testing.assert_allclose(targets, single, atol=1e-6)


def test_digits2digits_m_pairs_shuffle_together():
    unshuffled = data.load("digits2digits_m", paired=True, image_size=8, split="test", batch_size=8, shuffle=False)
    input_of = dict(zip(rows(collect(unshuffled)[1]), rows(collect(unshuffled)[0])))
    inputs, targets = collect(data.load("digits2digits_m", paired=True, image_size=8, split="test", batch_size=8))
    assert rows(targets) != list(input_of)[: len(targets)]
    assert [input_of[target] for target in rows(targets)] == rows(inputs)


def test_digits2digits_m_paired_direction_and_channels():
    dataset = data.load(
        "digits2digits_m", paired=True, direction="b_to_a", channels=1, image_size=8, batch_size=4, shuffle=False
    )
    inputs, targets = next(iter(dataset))
    forward = next(iter(data.load("digits2digits_m", paired=True, image_size=8, batch_size=4, shuffle=False)))
    assert inputs.shape == (4, 8, 8, 1) and targets.shape == (4, 8, 8, 1)
    np.testing.assert_allclose(targets, forward[0], atol=1e-6)
    np.testing.assert_allclose(inputs, tf.image.rgb_to_grayscale(forward[1]), atol=1e-3)
    grey_as_rgb = next(iter(data.load("digits2digits_m", paired=True, channels=3, image_size=8, batch_size=4)))
    assert grey_as_rgb[0].shape == (4, 8, 8, 3) and grey_as_rgb[1].shape == (4, 8, 8, 3)


def test_digits2digits_m_unpaired_domains_come_from_disjoint_halves():
    dataset = data.load("digits2digits_m", image_size=8, split="test", batch_size=1, shuffle=False)
    images_a, images_b = collect(dataset)
    assert dataset.element_spec[0].shape == dataset.element_spec[1].shape == (1, 8, 8, 3)
    assert len(images_a) == len(images_b) == 180
    np.testing.assert_array_equal(images_a[..., 0], images_a[..., 2])
    digits = collect(data.load("digits", image_size=8, channels=3, split="test", batch_size=1, shuffle=False))
    renderings = collect(data.load("digits_m", image_size=8, split="test", batch_size=1, shuffle=False))
    np.testing.assert_allclose(images_a, digits[:180], atol=1e-6)
    np.testing.assert_allclose(images_b, renderings[180:], atol=1e-6)
    grey = data.load("digits2digits_m", image_size=8, channels=1, batch_size=4)
    assert grey.element_spec[0].shape == grey.element_spec[1].shape == (4, 8, 8, 1)


def test_mnist2mnist_m_pairs_each_mnist_digit_with_its_rendering_and_unpairs_the_halves():
    inputs, targets = next(iter(data.load("mnist2mnist_m", paired=True, split="test", batch_size=4, shuffle=False)))
    digits = collect(data.load("mnist", split="test", batch_size=4, shuffle=False, num_samples=4))
    renderings = collect(data.load("mnist_m", split="test", batch_size=4, shuffle=False, num_samples=4))
    assert inputs.shape == (4, 28, 28, 1) and targets.shape == (4, 28, 28, 3)
    np.testing.assert_allclose(inputs, digits, atol=1e-6)
    np.testing.assert_allclose(targets, renderings, atol=1e-6)
    unpaired = data.load("mnist2mnist_m", split="test", batch_size=5_000, shuffle=False)
    assert unpaired.element_spec[0].shape == unpaired.element_spec[1].shape == (5_000, 28, 28, 3)
    images_a, images_b = next(iter(unpaired))
    np.testing.assert_allclose(images_a[:4, ..., 1], digits[..., 0], atol=1e-6)  # A: the first half, as RGB
    second_half = collect(data.load("mnist_m", split="test", batch_size=1, shuffle=False, num_samples=5_004))[5_000:]
    np.testing.assert_allclose(images_b[:4], second_half, atol=1e-6)  # B: renderings of the other digits
    small = next(iter(data.load("mnist2mnist_m", image_size=14, split="test", batch_size=2)))
    assert small[0].shape == small[1].shape == (2, 14, 14, 3)
    with pytest.raises(ValueError, match="mnist2mnist_m yields two domains without labels: load 'mnist' and 'mnist_m'"):
        data.load("mnist2mnist_m", with_labels=True)


def test_edges2photos_pairs_canny_edges_with_their_crop_from_other_photos_per_split():
    inputs, targets = next(iter(data.load("edges2photos", paired=True, split="test", batch_size=6, shuffle=False)))
    assert inputs.shape == (6, 32, 32, 1) and targets.shape == (6, 32, 32, 3)
    assert set(np.unique(inputs)) <= {-1.0, 1.0}  # an edge map: 1 on an edge, -1 elsewhere
    grey = tf.image.rgb_to_grayscale((targets + 1) / 2)[..., 0].numpy()
    np.testing.assert_array_equal(inputs[..., 0] > 0, [feature.canny(image, sigma=2.0) for image in grey])
    assert data.examples("edges2photos", "train", paired=True)[0].shape == (4000, 32, 32, 1)
    with pytest.raises(ValueError, match="edges2photos pairs each edge map with its colour original: pass paired=True"):
        data.load("edges2photos")
    with pytest.raises(ValueError, match="image_size must be at most 64, got 96"):
        data.load("edges2photos", paired=True, image_size=96)


def test_digits2digits_m_unpaired_sides_shuffle_independently_each_epoch():
    images_a, images_b = collect(data.load("digits2digits_m", image_size=8, split="test", batch_size=1, shuffle=False))
    dataset = data.load("digits2digits_m", image_size=8, split="test", batch_size=10, seed=3)
    first, second = collect(dataset), collect(dataset)
    order = lambda images, reference: [rows(reference).index(row) for row in rows(images)]  # noqa: E731
    order_a, order_b = order(first[0], images_a), order(first[1], images_b)
    assert sorted(order_a) == sorted(order_b) == list(range(180))
    assert order_a != order_b and order_a != list(range(180))
    assert order(second[0], images_a) != order_a
    again = collect(data.load("digits2digits_m", image_size=8, split="test", batch_size=10, seed=3))
    np.testing.assert_array_equal(first[0], again[0])


def test_digits2digits_m_odd_split_repeats_the_shorter_side():
    images_a, images_b = collect(data.load("digits2digits_m", image_size=8, batch_size=1, shuffle=False))
    assert len(images_a) == len(images_b) == 719
    np.testing.assert_array_equal(images_a[718], images_a[0])
    assert len(set(rows(images_b))) == 719


# colorization


def test_colorization_pairs_grey_crops_with_their_colour():
    dataset = data.load("colorization", paired=True, image_size=16, batch_size=64)
    inputs, targets = collect(dataset)
    assert dataset.element_spec[0].shape == (64, 16, 16, 1) and dataset.element_spec[1].shape == (64, 16, 16, 3)
    assert inputs.dtype == targets.dtype == np.float32 and len(inputs) == 2000 // 64 * 64
    assert -1.0 <= targets.min() < -0.9 and 0.9 < targets.max() <= 1.0
    luma = (targets + 1) / 2 @ np.array([0.2989, 0.587, 0.114], np.float32)
    np.testing.assert_allclose((inputs[..., 0] + 1) / 2, luma, atol=1e-3)
    assert data.load("colorization", paired=True, split="test", batch_size=64).cardinality() == 400 // 64
    assert data.load("colorization", paired=True, batch_size=8).element_spec[1].shape == (8, 32, 32, 3)
    assert data.load("colorization", paired=True, channels=3, batch_size=8).element_spec[0].shape == (8, 32, 32, 3)


def test_colorization_train_and_test_crops_do_not_overlap():
    train, test = colorization.crop_boxes("train"), colorization.crop_boxes("test")
    assert len(train[0]) == 2000 and len(test[0]) == 400
    assert train[2].max() + colorization.CROP_SIZE <= test[2].min()
    assert test[2].max() + colorization.CROP_SIZE <= 640 and train[1].max() + colorization.CROP_SIZE <= 427
    for split, boxes in (("train", train), ("test", test)):
        assert np.bincount(boxes[0]).tolist() == [len(boxes[0]) // 2] * 2
        assert len(set(zip(*boxes))) > 0.9 * len(boxes[0])
        for first, again in zip(boxes, colorization.crop_boxes(split)):
            np.testing.assert_array_equal(first, again)
    _, colour = colorization.colorization("test", 64)
    photos = np.stack(load_sample_images().images) / 255.0
    photo, top, left = test
    np.testing.assert_allclose(colour[7], photos[photo[7], top[7] : top[7] + 64, left[7] : left[7] + 64], atol=1e-6)


def test_colorization_errors():
    with pytest.raises(ValueError, match="pairs each grey crop with its colour original: pass paired=True"):
        data.load("colorization")
    with pytest.raises(ValueError, match="image_size must be at most 64, got 128"):
        data.load("colorization", paired=True, image_size=128)
    with pytest.raises(ValueError, match="unknown split 'all' for colorization: use one of train, test"):
        data.load("colorization", paired=True, split="all")
    with pytest.raises(ValueError, match="'colorization' yields two domains of images without labels"):
        data.load("colorization", paired=True, with_labels=True)


# two-domain errors


def test_translation_errors():
    with pytest.raises(ValueError, match="load 'digits' and 'digits_m' with labels separately"):
        data.load("digits2digits_m", with_labels=True)
    with pytest.raises(ValueError, match="load 'digits' and 'digits_m' with labels separately"):
        data.load("digits2digits_m", paired=True, with_labels=True)
    for name in ("digits", "digits_m", "ring8"):
        with pytest.raises(ValueError, match=rf"'{name}' has one domain of images, not \(input, target\) pairs"):
            data.load(name, paired=True)
    with pytest.raises(ValueError, match="direction orders two domains, but 'digits' has one"):
        data.load("digits", direction="b_to_a")
    with pytest.raises(ValueError, match="direction must be 'a_to_b' or 'b_to_a', got 'forward'"):
        data.load("digits2digits_m", direction="forward")
    with pytest.raises(ValueError, match="paired must be True or False, got 1"):
        data.load("digits2digits_m", paired=1)


def test_num_classes_of_translation_sets(cyclegan_folder):
    assert data.num_classes("digits_m") == 10
    for name in ("digits2digits_m", "colorization", str(cyclegan_folder)):
        with pytest.raises(ValueError, match="holds two domains of images without class labels"):
            data.num_classes(name)


# folders


def save(path, mode, size, color):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)


@pytest.fixture
def cyclegan_folder(tmp_path):
    """trainA with 3 and trainB with 5 solid grey images, testA and testB with 2 each."""
    for domain, values in (("trainA", (10, 20, 30)), ("trainB", (100, 110, 120, 130, 140))):
        for value in values:
            save(tmp_path / domain / f"{value}.png", "L", (6, 6), value)
    for domain, value in (("testA", 50), ("testB", 200)):
        for index in range(2):
            save(tmp_path / domain / f"{index}.png", "RGB", (4, 4), (value, value, value))
    return tmp_path


def grey_levels(images):
    return np.round((images[:, 0, 0, 0] + 1) * 127.5).astype(int).tolist()


def test_cyclegan_folder_zips_domains_and_repeats_the_shorter(cyclegan_folder):
    dataset = data.load(cyclegan_folder, batch_size=1)
    images_a, images_b = collect(dataset)
    assert dataset.element_spec[0].shape == (1, 6, 6, 1) and len(images_a) == len(images_b) == 5
    assert sorted(grey_levels(images_b)) == [100, 110, 120, 130, 140]
    assert set(grey_levels(images_a)) == {10, 20, 30}
    unshuffled = collect(data.load(cyclegan_folder, batch_size=1, shuffle=False))
    assert grey_levels(unshuffled[0]) == [10, 20, 30, 10, 20]
    assert grey_levels(unshuffled[1]) == [100, 110, 120, 130, 140]
    swapped = collect(data.load(cyclegan_folder, batch_size=1, shuffle=False, direction="b_to_a", image_size=3))
    assert grey_levels(swapped[0]) == [100, 110, 120, 130, 140] and swapped[1].shape == (5, 3, 3, 1)
    images_a, images_b = collect(data.load(cyclegan_folder, split="test", batch_size=2, channels=3))
    assert images_a.shape == images_b.shape == (2, 4, 4, 3)
    assert grey_levels(images_a) == [50, 50] and grey_levels(images_b) == [200, 200]


def test_cyclegan_folder_errors(cyclegan_folder):
    for path in (cyclegan_folder / "trainB").iterdir():
        path.unlink()
    (cyclegan_folder / "trainB" / "notes.txt").write_text("no images")
    with pytest.raises(ValueError, match=r"no images in folder '.*trainB': expected files ending in"):
        data.load(cyclegan_folder, batch_size=1)
    with pytest.raises(ValueError, match=r"no folder '.*valA': a CycleGAN folder holds valA and valB for split='val'"):
        data.load(cyclegan_folder, split="val", batch_size=1)
    with pytest.raises(ValueError, match=r"holds unpaired domains A and B \(CycleGAN\): pass paired=False"):
        data.load(cyclegan_folder, paired=True)
    with pytest.raises(ValueError, match="yields two domains of images without labels: pass with_labels=False"):
        data.load(cyclegan_folder, split="test", with_labels=True)


def save_side_by_side(path, left, right, size=(4, 3)):
    """An "L" image of width 2 * size[0]: grey level `left` on the left half, `right` on the right."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.concatenate([np.full(size[::-1], left), np.full(size[::-1], right)], axis=1).astype(np.uint8)
    Image.fromarray(image, "L").save(path)


def test_side_by_side_folder_splits_each_image_into_input_and_target(tmp_path):
    for index, (left, right) in enumerate(((0, 255), (40, 200), (80, 160))):
        save_side_by_side(tmp_path / f"{index}.png", left, right)
    dataset = data.load(tmp_path, paired=True, batch_size=3, shuffle=False)
    inputs, targets = collect(dataset)
    assert dataset.element_spec[0].shape == dataset.element_spec[1].shape == (3, 3, 4, 1)
    assert inputs.dtype == np.float32
    assert grey_levels(inputs) == [0, 40, 80] and grey_levels(targets) == [255, 200, 160]
    np.testing.assert_array_equal(inputs, inputs[:, :1, :1].repeat(3, 1).repeat(4, 2))
    swapped = collect(data.load(tmp_path, paired=True, batch_size=3, shuffle=False, direction="b_to_a"))
    assert grey_levels(swapped[0]) == [255, 200, 160] and grey_levels(swapped[1]) == [0, 40, 80]
    resized = data.load(tmp_path, paired=True, batch_size=3, image_size=3, channels=3)
    assert resized.element_spec[0].shape == (3, 3, 3, 3) and resized.element_spec[1].shape == (3, 3, 3, 1)
    shuffled_inputs, shuffled_targets = collect(data.load(tmp_path, paired=True, batch_size=3, seed=1))
    pairs = dict(zip(grey_levels(shuffled_inputs), grey_levels(shuffled_targets)))
    assert pairs == {0: 255, 40: 200, 80: 160}


def test_side_by_side_folder_reads_the_split_subfolder(tmp_path):
    save_side_by_side(tmp_path / "train" / "0.png", 10, 20)
    save_side_by_side(tmp_path / "train" / "1.png", 30, 40)
    save_side_by_side(tmp_path / "test" / "0.png", 90, 100)
    inputs, targets = collect(data.load(tmp_path, paired=True, batch_size=1, shuffle=False))
    assert grey_levels(inputs) == [10, 30] and grey_levels(targets) == [20, 40]
    inputs, targets = collect(data.load(tmp_path, paired=True, split="test", batch_size=1))
    assert grey_levels(inputs) == [90] and grey_levels(targets) == [100]
    with pytest.raises(ValueError, match=r"no folder '.*val' for split='val': '.*' holds train, test"):
        data.load(tmp_path, paired=True, split="val", batch_size=1)


def test_side_by_side_folder_errors(tmp_path):
    save_side_by_side(tmp_path / "odd" / "a.png", 0, 255, size=(4, 3))
    save(tmp_path / "odd" / "b.png", "L", (7, 3), 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"a side-by-side A\|B image needs an even width"):
        collect(data.load(tmp_path / "odd", paired=True, batch_size=1, shuffle=False))
    save(tmp_path / "odd_first" / "a.png", "L", (9, 4), 0)
    with pytest.raises(ValueError, match=r"'.*a\.png' is 9x4 px: a side-by-side A\|B image needs an even width"):
        data.load(tmp_path / "odd_first", paired=True)
    with pytest.raises(ValueError, match=r"'.*odd' yields two domains of images without labels"):
        data.load(tmp_path / "odd", paired=True, with_labels=True)
    with pytest.raises(ValueError, match="direction orders two domains, but '.*odd' has one"):
        data.load(tmp_path / "odd", direction="b_to_a")


# TFDS (mocked: no download)


def test_tfds_cycle_gan_zips_its_a_and_b_splits(monkeypatch):
    requested = []
    tfds_load = tfds.load

    def recording_load(name, split, **kwargs):
        requested.append(split)
        return tfds_load(name, split=split, **kwargs)

    monkeypatch.setattr(tfds_source.tfds, "load", recording_load)
    with tfds.testing.mock_data(num_examples=6):
        dataset = data.load("cycle_gan/horse2zebra", image_size=8, batch_size=2)
        images_a, images_b = collect(dataset)
        test_pairs = collect(data.load("cycle_gan/horse2zebra", split="test", image_size=4, batch_size=3))
        single = data.load("cycle_gan/horse2zebra", split="trainA", image_size=8, batch_size=2)
        with pytest.raises(ValueError, match=r"'cycle_gan/horse2zebra' holds unpaired domains A and B"):
            data.load("cycle_gan/horse2zebra", image_size=8, paired=True)
        with pytest.raises(ValueError, match="yields two domains of images without labels"):
            data.load("cycle_gan/horse2zebra", image_size=8, with_labels=True)
    assert requested == ["trainA", "trainB", "testA", "testB", "trainA"]
    assert dataset.element_spec[0].shape == dataset.element_spec[1].shape == (2, 8, 8, 3)
    assert images_a.shape == images_b.shape == (6, 8, 8, 3) and images_a.dtype == np.float32
    assert -1.0 <= min(images_a.min(), images_b.min()) and max(images_a.max(), images_b.max()) <= 1.0
    assert test_pairs[0].shape == test_pairs[1].shape == (6, 4, 4, 3)
    assert single.element_spec.shape == (2, 8, 8, 3)
