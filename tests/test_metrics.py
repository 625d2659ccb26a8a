"""Tests for kerasgan.metrics: mode coverage (PacGAN protocol), label accuracy, the digits classifiers and
the translation metrics."""
import os
import time

import keras
import numpy as np
import pytest

from kerasgan import data
from kerasgan.metrics import classifier as classifier_module
from kerasgan.metrics import digits_classifier, l1, label_accuracy, label_preservation, mode_coverage, psnr, ssim
from kerasgan.metrics.classifier import build_classifier, digits_arrays

IMAGE_SIZE = 32


def collect(dataset):
    """All batches of one epoch concatenated into (images, labels)."""
    batches = list(dataset.as_numpy_iterator())
    return tuple(np.concatenate(parts) for parts in zip(*batches))


# mode coverage


def test_every_ring_mean_captures_all_eight_modes_uniformly():
    result = mode_coverage(data.mixture_means("ring8"), "ring8")
    assert result == {"modes": 8, "num_modes": 8, "hq_fraction": 1.0, "reverse_kl": 0.0}
    assert isinstance(result["modes"], int) and isinstance(result["hq_fraction"], float)


def test_samples_at_two_ring_modes_give_two_modes_and_log_four():
    means = data.mixture_means("ring8")
    samples = np.repeat(means[[0, 5]], 50, axis=0)
    result = mode_coverage(samples, "ring8")
    assert result["modes"] == 2 and result["hq_fraction"] == 1.0
    # q = (1/2, 1/2) on two modes, p = 1/8: 2 * 1/2 * log((1/2) / (1/8)) = log(8/2)
    assert result["reverse_kl"] == pytest.approx(np.log(8 / 2))


def test_far_away_samples_are_not_high_quality():
    means = data.mixture_means("ring8")
    far = np.array([[0.0, 0.0], [3.0, 3.0], [-0.5, 0.2]])
    result = mode_coverage(np.concatenate([means[:2], far]), "ring8")
    assert result["modes"] == 2
    assert result["hq_fraction"] == pytest.approx(2 / 5)
    assert mode_coverage(far, "ring8") == {"modes": 0, "num_modes": 8, "hq_fraction": 0.0, "reverse_kl": np.inf}


def test_high_quality_ends_at_three_std():
    mean, std = data.mixture_means("ring8")[3].astype(np.float64), data.mixture_std("ring8")
    direction = np.array([0.6, 0.8])
    inside = mode_coverage([mean + (3 * std - 1e-7) * direction], "ring8")
    outside = mode_coverage([mean + (3 * std + 1e-7) * direction], "ring8")
    assert (inside["modes"], inside["hq_fraction"]) == (1, 1.0)
    assert (outside["modes"], outside["hq_fraction"], outside["reverse_kl"]) == (0, 0.0, np.inf)


def test_grid_modes_and_uneven_histogram():
    means = data.mixture_means("grid25")
    assert mode_coverage(means, "grid25") == {"modes": 25, "num_modes": 25, "hq_fraction": 1.0, "reverse_kl": 0.0}
    std = data.mixture_std("grid25")
    samples = np.concatenate([
        np.repeat(means[[7]], 3, axis=0),
        means[[19]] + [[2 * std, -2 * std]],  # 2.83 std away: still HQ
        [[1.0, 1.0], [4.0, 3.0]],  # between modes: not HQ
    ])
    result = mode_coverage(samples, "grid25")
    assert result["modes"] == 2 and result["num_modes"] == 25
    assert result["hq_fraction"] == pytest.approx(4 / 6)
    # q = (3/4, 1/4), p = 1/25
    assert result["reverse_kl"] == pytest.approx(0.75 * np.log(0.75 * 25) + 0.25 * np.log(0.25 * 25))


def test_true_mixture_samples_are_high_quality_at_the_gaussian_rate():
    points = next(data.load("ring8", batch_size=2500, num_samples=2500, shuffle=False).as_numpy_iterator())
    result = mode_coverage(points, "ring8")
    assert result["modes"] == 8
    # P(|x - mean| <= 3 std) for an isotropic 2-D Gaussian: 1 - exp(-9/2)
    assert result["hq_fraction"] == pytest.approx(1 - np.exp(-4.5), abs=0.01)
    assert result["reverse_kl"] < 0.01


def test_explicit_means_with_std_and_non_finite_samples():
    means = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.array([[0.5, 0.0], [10.0, 1.4], [np.nan, 0.0], [np.inf, np.inf]])
    result = mode_coverage(samples, means, std=0.5)
    assert result["modes"] == 2 and result["num_modes"] == 3
    assert result["hq_fraction"] == 0.5
    assert result["reverse_kl"] == pytest.approx(np.log(3 / 2))


@pytest.mark.parametrize(
    "samples, name_or_means, std",
    [
        (np.zeros((4, 2)), "ring8", 0.1),  # std is the mixture's
        (np.zeros((4, 2)), np.zeros((3, 2)), None),  # explicit means need std
        (np.zeros((4, 2)), np.zeros((3, 2)), 0.0),
        (np.zeros((4, 3)), "ring8", None),  # wrong dimension
        (np.zeros((0, 2)), "ring8", None),  # no samples
        (np.zeros((4, 2)), "ring9", None),  # unknown mixture
    ],
)
def test_mode_coverage_rejects_bad_arguments(samples, name_or_means, std):
    with pytest.raises(ValueError):
        mode_coverage(samples, name_or_means, std=std)


# label accuracy


class FixedClassifier:
    """Stands in for a keras.Model: predict returns one-hot rows of fixed classes."""

    def __init__(self, classes):
        self.classes = np.asarray(classes)

    def predict(self, images, batch_size=None, verbose="auto"):
        return np.eye(10)[self.classes[: len(images)]]


def test_label_accuracy_counts_argmax_matches():
    classifier = FixedClassifier([0, 1, 2, 3])
    images = np.zeros((4, 8, 8, 1), np.float32)
    assert label_accuracy(classifier, images, [0, 1, 2, 3]) == 1.0
    assert label_accuracy(classifier, images, np.array([0, 1, 9, 9], np.int32)) == 0.5
    assert label_accuracy(classifier, images, [5, 5, 5, 5]) == 0.0


def test_label_accuracy_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="3 labels"):
        label_accuracy(FixedClassifier([0, 1, 2, 3]), np.zeros((4, 8, 8, 1)), [0, 1, 2])


# digits classifier (trained once per module)


@pytest.fixture(scope="module")
def held_out():
    return collect(data.load("digits", image_size=IMAGE_SIZE, batch_size=40, split="test", with_labels=True, shuffle=False))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    cache_dir = tmp_path_factory.mktemp("cache")
    # CPU seconds of this process, not wall time: the suite's other worker shares the cores (wall 68 s seen beside
    # it, 19 s alone for 30 CPU seconds on a 2-core AMD EPYC).
    start = time.process_time()
    classifier = digits_classifier(IMAGE_SIZE, cache_dir=str(cache_dir))
    return classifier, cache_dir, time.process_time() - start


def test_classifier_reaches_97_percent_on_held_out_digits(trained, held_out):
    classifier, _, seconds = trained
    images, labels = held_out
    assert len(labels) == 360
    assert label_accuracy(classifier, images, labels) >= 0.97
    assert seconds < 60


def test_classifier_outputs_probabilities_and_exposes_features(trained, held_out):
    classifier, _, _ = trained
    images = held_out[0][:16]
    probabilities = np.asarray(classifier(images))
    assert probabilities.shape == (16, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    features = keras.Model(classifier.input, classifier.get_layer("features").output)
    assert 64 <= features(images).shape[-1] <= 128


def test_shuffled_labels_give_chance_accuracy(trained, held_out):
    classifier, _, _ = trained
    images, labels = held_out
    shuffled = np.random.default_rng(0).permutation(labels)
    assert label_accuracy(classifier, images, shuffled) < 0.25


def test_second_call_loads_the_cache(trained, held_out):
    classifier, cache_dir, train_seconds = trained
    assert sorted(os.listdir(cache_dir)) == [f"digits_classifier_{IMAGE_SIZE}.keras"]
    start = time.perf_counter()
    cached = digits_classifier(IMAGE_SIZE, cache_dir=str(cache_dir))
    assert time.perf_counter() - start < train_seconds / 2
    assert cached.get_layer("features").output.shape == classifier.get_layer("features").output.shape
    images = held_out[0]
    np.testing.assert_allclose(cached.predict(images, verbose=0), classifier.predict(images, verbose=0), atol=1e-6)


def test_cache_dir_defaults_to_kerasgan_cache(trained, held_out, tmp_path, monkeypatch):
    classifier, cache_dir, train_seconds = trained
    name = f"digits_classifier_{IMAGE_SIZE}.keras"
    (tmp_path / name).write_bytes((cache_dir / name).read_bytes())
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path))
    start = time.perf_counter()
    cached = digits_classifier(IMAGE_SIZE)
    assert time.perf_counter() - start < train_seconds / 2
    images = held_out[0][:32]
    np.testing.assert_allclose(cached.predict(images, verbose=0), classifier.predict(images, verbose=0), atol=1e-6)


def test_corrupt_cache_is_retrained_with_a_warning(tmp_path, held_out, monkeypatch):
    # What training makes is test_classifier_reaches_97_percent_on_held_out_digits's; here, what happens around it.
    retrained = []
    monkeypatch.setattr(classifier_module, "train_classifier", lambda size, dataset: retrained.append(size) or build_classifier(size))
    path = tmp_path / f"digits_classifier_{IMAGE_SIZE}.keras"
    path.write_bytes(b"not a keras file \x00\xff" * 10)
    with pytest.warns(UserWarning, match="retraining the digits classifier"):
        classifier = digits_classifier(IMAGE_SIZE, cache_dir=str(tmp_path))
    assert retrained == [IMAGE_SIZE]
    assert sorted(os.listdir(tmp_path)) == [path.name]  # replaced, no temporary file left
    reloaded = digits_classifier(IMAGE_SIZE, cache_dir=str(tmp_path))
    assert retrained == [IMAGE_SIZE]  # read from the file this time
    images, _ = held_out
    np.testing.assert_allclose(reloaded.predict(images, verbose=0), classifier.predict(images, verbose=0), atol=1e-6)


def test_digits_classifier_rejects_tiny_image_size(tmp_path):
    with pytest.raises(ValueError, match="image_size"):
        digits_classifier(2, cache_dir=str(tmp_path))


def test_digits_m_classifier_takes_colour_and_caches_under_its_own_name(tmp_path):
    images, labels = digits_arrays("test", 16, dataset="digits_m")
    assert images.shape == (360, 16, 16, 3) and labels.shape == (360,)
    model = build_classifier(16, dataset="digits_m")
    assert model.inputs[0].shape[1:] == (16, 16, 3) and model.name == "digits_m_classifier_16"
    model.save(tmp_path / "digits_m_classifier_16.keras")
    start = time.perf_counter()
    cached = digits_classifier(16, cache_dir=str(tmp_path), dataset="digits_m")
    assert time.perf_counter() - start < 5  # loaded, not trained
    np.testing.assert_allclose(cached.predict(images[:8], verbose=0), model.predict(images[:8], verbose=0), atol=1e-6)


def test_digits_classifier_rejects_unknown_dataset(tmp_path):
    with pytest.raises(ValueError, match="digits_m"):
        digits_classifier(32, cache_dir=str(tmp_path), dataset="cifar10")


# translation metrics


def constant_images(*values, size=16, channels=3):
    """One (size, size, channels) image per value, every pixel that value."""
    return np.stack([np.full((size, size, channels), value, np.float32) for value in values])


def test_identical_images_score_perfectly():
    images = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
    assert l1(images, images) == 0.0
    assert ssim(images, images) == pytest.approx(1.0, abs=1e-6)
    assert psnr(images, images) == np.inf  # not capped


def test_l1_and_psnr_of_constant_differences():
    a = constant_images(-1.0, 0.0)
    b = constant_images(-0.8, 0.02)
    # |differences| 0.2 and 0.02 in [-1, 1]
    assert l1(a, b) == pytest.approx(0.11)
    # in [0, 1] they are 0.1 and 0.01: MSE 1e-2 and 1e-4, PSNR 20 and 40 dB, mean 30
    assert psnr(a, b) == pytest.approx(30.0, abs=1e-3)


def test_ssim_maps_images_to_unit_range():
    # constant 0 and 0.5 are 0.5 and 0.75 in [0, 1]: only the luminance term (2 x y + C1) / (x^2 + y^2 + C1)
    # is left, C1 = 0.01^2; on [-1, 1] with max_val 2 it would be about 0.002
    expected = (2 * 0.5 * 0.75 + 1e-4) / (0.5**2 + 0.75**2 + 1e-4)
    assert ssim(constant_images(0.0), constant_images(0.5)) == pytest.approx(expected, rel=2e-3)  # float32 variances


@pytest.mark.parametrize("metric", [l1, psnr, ssim])
def test_translation_metrics_reject_mismatched_shapes(metric):
    with pytest.raises(ValueError, match="one shape"):
        metric(constant_images(0.0), constant_images(0.0, channels=1))


def test_ssim_rejects_images_smaller_than_its_window():
    with pytest.raises(ValueError, match="11x11"):
        ssim(constant_images(0.0, size=8), constant_images(0.0, size=8))


def brightness_classifier(channels):
    """Class 0 when the mean pixel over all channels is above 0, else class 1."""
    inputs = keras.Input((16, 16, channels))
    pooled = keras.layers.GlobalAveragePooling2D()(inputs)
    dense = keras.layers.Dense(2, activation="softmax")
    outputs = dense(pooled)
    dense.set_weights([np.tile([[1.0, -1.0]], (channels, 1)), np.zeros(2)])
    return keras.Model(inputs, outputs)


def test_label_preservation_averages_colour_for_a_grey_classifier():
    colour = np.concatenate([constant_images(value, channels=1) for value in (1.0, -1.0, -0.5)], axis=-1)
    images = np.concatenate([colour, constant_images(0.5)])
    # averaged: -1/6 -> class 1, 0.5 -> class 0; the first channel alone would give class 0 twice
    assert label_preservation(brightness_classifier(1), images, [1, 0]) == 1.0
    assert label_preservation(brightness_classifier(1), images, [0, 0]) == 0.5


def test_label_preservation_repeats_grey_for_a_colour_classifier():
    images = constant_images(0.5, -0.25, channels=1)
    assert label_preservation(brightness_classifier(3), images, np.array([0, 1])) == 1.0
    with pytest.raises(ValueError, match="2 channels"):
        label_preservation(brightness_classifier(3), np.zeros((2, 16, 16, 2), np.float32), [0, 1])
