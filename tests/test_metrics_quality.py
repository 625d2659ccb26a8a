"""Tests for the sample-quality metrics: Fréchet distance, KID, k-NN precision/recall and feature extraction."""
import keras
import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

from kerasgan.metrics import (
    extract_features,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_features,
    frechet_distance_from_statistics,
    kernel_inception_distance,
    kernel_inception_distance_from_features,
    precision_recall,
    precision_recall_from_features,
)
from kerasgan.metrics import features as features_module
from kerasgan.metrics import frechet as frechet_module


def gaussian_samples(n, mean, covariance, seed=0):
    """n samples whose sample mean and sample covariance (ddof 1) are exactly `mean` and `covariance`."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(mean)))
    z -= z.mean(axis=0)
    # whiten to identity sample covariance, then colour with the Cholesky factor
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    return np.asarray(mean) + z @ np.linalg.cholesky(covariance).T


def tiny_extractor(size=6, channels=1, seed=0):
    """Conv -> GlobalAveragePooling -> Dense named "features" (5) -> Dense(2)."""
    inputs = keras.Input((size, size, channels))
    x = keras.layers.Conv2D(4, 3, activation="tanh", kernel_initializer=keras.initializers.GlorotUniform(seed))(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(5, kernel_initializer=keras.initializers.GlorotUniform(seed + 1), name="features")(x)
    outputs = keras.layers.Dense(2, kernel_initializer=keras.initializers.GlorotUniform(seed + 2))(x)
    return keras.Model(inputs, outputs, name="tiny")


def images(n, size=6, channels=1, seed=0, offset=0.0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype(np.float32) + offset


# Fréchet distance


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(500, 8)) * 3 + 5
    assert abs(frechet_distance_from_features(features, features)) < 1e-8


def test_frechet_distance_of_diagonal_gaussians_matches_the_closed_form():
    d = 5
    # per dimension: (mu1 - mu2)^2 + s1 + s2 - 2 sqrt(s1 s2) = 1 + 1 + 4 - 2 * 2 = 2
    expected = 2.0 * d
    assert frechet_distance_from_statistics(np.zeros(d), np.eye(d), np.ones(d), 4 * np.eye(d)) == pytest.approx(expected)
    real = gaussian_samples(300, np.zeros(d), np.eye(d), seed=1)
    fake = gaussian_samples(200, np.ones(d), 4 * np.eye(d), seed=2)
    assert frechet_distance_from_features(real, fake) == pytest.approx(expected, rel=1e-9)
    assert frechet_distance_from_features(real.astype(np.float32), fake.astype(np.float32)) == pytest.approx(expected, rel=1e-5)


def test_frechet_distance_of_full_covariances_matches_the_symmetric_square_root():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)

    def psd_sqrt(s):
        values, vectors = np.linalg.eigh(s)
        return vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T

    # Tr((S1 S2)^(1/2)) = Tr((S1^(1/2) S2 S1^(1/2))^(1/2))
    root = psd_sqrt(s1)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2) - 2 * np.trace(psd_sqrt(root @ s2 @ root))
    assert frechet_distance_from_statistics(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def test_singular_covariances_get_the_eps_offset():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(50, 6)), rng.normal(size=(50, 6)) + 1
    real[:, 2], fake[:, 2] = 0.5, 3.0  # a constant feature (a dead ReLU): both covariances are singular
    without = frechet_distance_from_features(np.delete(real, 2, axis=1), np.delete(fake, 2, axis=1))
    # the constant feature adds its squared mean difference; the offset moves the rest by O(eps)
    assert frechet_distance_from_features(real, fake, eps=1e-6) == pytest.approx(without + 2.5**2, abs=1e-4)


def test_a_non_finite_square_root_retries_with_the_offset_and_warns(monkeypatch):
    calls, original = [], scipy.linalg.sqrtm

    def sqrtm(matrix):
        calls.append(matrix)
        return np.full_like(matrix, np.nan) if len(calls) == 1 else original(matrix)

    monkeypatch.setattr(frechet_module.linalg, "sqrtm", sqrtm)
    with pytest.warns(UserWarning, match="not finite, adding 0.5"):
        distance = frechet_distance_from_statistics(np.zeros(2), np.eye(2), np.zeros(2), np.eye(2), eps=0.5)
    np.testing.assert_allclose(calls[1], 1.5**2 * np.eye(2))
    assert distance == pytest.approx(2 + 2 - 2 * 2 * 1.5)


def test_a_large_imaginary_square_root_raises():
    with pytest.raises(ValueError, match="imaginary"):
        frechet_distance_from_statistics(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


def test_streamed_statistics_equal_one_shot_ones():
    model = tiny_extractor()
    real, fake = images(50, seed=1), images(40, seed=2, offset=0.3)
    # The same batches both ways: a float32 network's features may differ in the last bits between batch sizes
    # (the matrix kernels block a batch by its size on some CPUs), which is not what this compares.
    all_features = extract_features(real, model, batch_size=7)
    mean, covariance = feature_statistics(tf.data.Dataset.from_tensor_slices(real).batch(7), model)
    np.testing.assert_allclose(mean, all_features.astype(np.float64).mean(axis=0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(covariance, np.cov(all_features.astype(np.float64), rowvar=False), rtol=1e-9, atol=1e-12)
    one_shot = frechet_distance_from_features(all_features, extract_features(fake, model, batch_size=7))
    assert frechet_distance(real, fake, model, batch_size=7) == pytest.approx(one_shot, rel=1e-9)
    assert one_shot > 0


def test_streaming_keeps_precision_under_a_large_common_mean():
    rng = np.random.default_rng(5)
    features = rng.normal(size=(1000, 3)) + 1e6
    model = keras.Sequential([keras.Input((1, 1, 3)), keras.layers.Flatten()])
    # float32 images cannot hold 1e6 + noise exactly: compare with the float32 values the model sees
    seen = features.reshape(-1, 1, 1, 3).astype(np.float32)
    mean, covariance = feature_statistics(seen, model, batch_size=64)
    exact = seen.reshape(-1, 3).astype(np.float64)
    np.testing.assert_allclose(mean, exact.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(covariance, np.cov(exact, rowvar=False), rtol=1e-9, atol=1e-9)


# KID


def test_kid_is_near_zero_for_one_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(6)
    real, same, shifted = rng.normal(size=(600, 16)), rng.normal(size=(600, 16)), rng.normal(size=(600, 16)) + 0.5
    null = kernel_inception_distance_from_features(real, same, num_subsets=20, subset_size=200)
    shift = kernel_inception_distance_from_features(real, shifted, num_subsets=20, subset_size=200)
    assert null["subset_size"] == 200 and null["std"] > 0
    assert abs(null["mean"]) < 0.01
    assert shift["mean"] > 0.1 and shift["mean"] > 5 * shift["std"]
    assert kernel_inception_distance_from_features(real, same, num_subsets=20, subset_size=200) == null  # seeded


def test_kid_matches_a_hand_computed_unbiased_mmd():
    x = np.array([[0.0, 1.0], [1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]])
    y = np.array([[1.0, 1.0], [0.5, -0.5], [3.0, 2.0], [-2.0, 1.0]])

    def k(a, b):
        return (np.dot(a, b) / 2 + 1) ** 3

    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    # one subset of the whole sets: a permutation, which leaves the estimate unchanged
    result = kernel_inception_distance_from_features(x, y, num_subsets=1)
    assert result["subset_size"] == 4 and result["std"] == 0
    assert result["mean"] == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kid_of_images_equals_kid_of_their_features():
    model = tiny_extractor()
    real, fake = images(30, seed=1), images(30, seed=2, offset=0.5)
    real_features, fake_features = extract_features(real, model), extract_features(fake, model, batch_size=8)  # as streamed
    expected = kernel_inception_distance_from_features(real_features, fake_features, 5, 10, seed=3)
    dataset = tf.data.Dataset.from_tensor_slices(fake).batch(8)
    assert kernel_inception_distance(real, dataset, model, num_subsets=5, subset_size=10, seed=3) == expected


# precision and recall


def naive_precision_recall(real, fake, k):
    def radii(points):
        distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
        return np.sort(distances, axis=1)[:, k]

    def inside(queries, points):
        distances = np.linalg.norm(queries[:, None] - points[None], axis=-1)
        return np.mean(np.any(distances <= radii(points)[None], axis=1))

    return {"precision": inside(fake, real), "recall": inside(real, fake)}


def test_identical_sets_have_precision_and_recall_one():
    features = np.random.default_rng(7).normal(size=(100, 4))
    assert precision_recall_from_features(features, features) == {"precision": 1.0, "recall": 1.0}


def test_precision_and_recall_of_a_hand_built_line():
    real = np.array([[0.0], [2.0], [4.0], [6.0], [8.0]])  # k=1 radius 2 around each
    fake = np.array([[10.0], [11.0], [1.0], [2.0]])  # k=1 radius 1 around each
    # precision: 10 (2 from 8: on the boundary, inside), 1, 2 inside; 11 out
    # recall: 0 (1 from 1) and 2 inside; 4, 6, 8 out
    assert precision_recall_from_features(real, fake, k=1) == {"precision": 0.75, "recall": 0.4}
    far = fake + 100
    assert precision_recall_from_features(real, far, k=1) == {"precision": 0.0, "recall": 0.0}


@pytest.mark.parametrize("block_size", [1, 7, 2048])
def test_blocked_precision_recall_matches_brute_force(block_size):
    rng = np.random.default_rng(8)
    real, fake = rng.normal(size=(40, 2)), rng.normal(size=(30, 2)) * 1.5 + 0.5
    result = precision_recall_from_features(real, fake, block_size=block_size)
    expected = naive_precision_recall(real, fake, k=3)
    assert result["precision"] == pytest.approx(expected["precision"]) and result["recall"] == pytest.approx(expected["recall"])
    assert 0 < result["precision"] < 1 and 0 < result["recall"] < 1


def test_precision_recall_of_images_equals_that_of_their_features():
    model = tiny_extractor()
    real, fake = images(25, seed=1), images(20, seed=2, offset=0.2)
    expected = precision_recall_from_features(extract_features(real, model), extract_features(fake, model))
    assert precision_recall(real, fake, model) == expected


# feature extraction


def test_dataset_input_equals_numpy_input():
    model = tiny_extractor()
    real = images(23)
    labels = np.arange(23)
    expected = extract_features(real, model, batch_size=5)
    assert expected.shape == (23, 2) and expected.dtype == np.float32
    np.testing.assert_allclose(expected, model.predict(real, verbose=0), atol=1e-6)
    np.testing.assert_allclose(extract_features(tf.data.Dataset.from_tensor_slices(real).batch(4), model), expected, atol=1e-6)
    with_labels = tf.data.Dataset.from_tensor_slices((real, labels)).batch(6)
    np.testing.assert_allclose(extract_features(with_labels, model), expected, atol=1e-6)


def test_a_layer_name_picks_that_layer():
    model = tiny_extractor()
    real = images(9)
    features = extract_features(real, model, layer="features")
    expected = keras.Model(model.inputs, model.get_layer("features").output).predict(real, verbose=0)
    assert features.shape == (9, 5)
    np.testing.assert_allclose(features, expected, atol=1e-6)
    with pytest.raises(ValueError, match="no layer 'pool'"):
        extract_features(real, model, layer="pool")


def test_digits_extractor_is_the_digits_classifier_features(monkeypatch):
    calls = []

    def fake_classifier(image_size, dataset="digits"):
        calls.append((image_size, dataset))
        model = tiny_extractor(image_size, 1 if dataset == "digits" else 3)
        return model

    monkeypatch.setattr(features_module, "digits_classifier", fake_classifier)
    grey, colour = images(12, size=8), images(12, size=8, channels=3)
    features = extract_features(grey, "digits")
    assert calls == [(8, "digits")] and features.shape == (12, 5)
    extract_features(tf.data.Dataset.from_tensor_slices(colour).batch(5), "digits")
    assert calls[-1] == (8, "digits_m")
    # resolved once from the real images: colour fakes cannot reach the digits_m classifier
    with pytest.raises(ValueError, match=r"takes images of shape \(8, 8, 1\)"):
        frechet_distance(grey, colour, "digits")
    with pytest.raises(ValueError, match="square images"):
        extract_features(images(4, size=8)[:, :, :6], "digits")
    with pytest.raises(ValueError, match="leave it out for 'digits'"):
        extract_features(grey, "digits", layer="features")


def test_the_default_extractor_is_fid_inception(monkeypatch):
    """None and "inception" name kerasgan.metrics.fid_inception (replaced here by a tiny stand-in), with batches of 50."""
    sizes = []
    stand_in = keras.Sequential([keras.Input((None, None, None)), keras.layers.GlobalAveragePooling2D()], name="fid_inception")
    monkeypatch.setattr(features_module, "fid_inception", lambda: stand_in)
    batches = features_module._image_batches
    monkeypatch.setattr(features_module, "_image_batches", lambda images, size: sizes.append(size) or batches(images, size))
    grey = images(120, size=8)
    np.testing.assert_allclose(extract_features(grey), grey.mean(axis=(1, 2)), atol=1e-6)
    assert sizes == [50]
    assert frechet_distance(grey, images(60, size=5, seed=1), "inception") > 0  # any size, one network
    with pytest.raises(ValueError, match=r"takes images \(H, W, 1 or 3\), got images of shape \(8, 8, 2\)"):
        extract_features(images(4, size=8, channels=2))
    with pytest.raises(ValueError, match="leave it out for 'inception'"):
        extract_features(grey, layer="pool_3")
    with pytest.raises(ValueError, match="unknown feature_extractor 'vgg'"):
        extract_features(grey, "vgg")


def test_the_fid_network_is_traced_once_for_every_batch_and_image_size(monkeypatch):
    """Batches of 50 and a last one of 20, then 5x5 grey, then 7x7 RGB: one trace, where predict_on_batch retraces."""
    traces = []
    inputs = keras.Input((None, None, None))
    counted = keras.layers.Lambda(lambda x: traces.append(x.shape) or x)(inputs)  # Python runs only when traced
    stand_in = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(counted), name="fid_inception")
    monkeypatch.setattr(features_module, "fid_inception", lambda: stand_in)
    monkeypatch.setattr(stand_in, "predict_on_batch", None)  # the FID network never runs through it
    traces.clear()
    for each in (images(120, size=8), images(3, size=5), images(4, size=7, channels=3)):
        np.testing.assert_allclose(extract_features(each), each.mean(axis=(1, 2)), atol=1e-6)
    assert len(traces) == 1 and tuple(traces[0]) == (None, None, None, None)


def test_precision_is_for_the_fid_network_only():
    with pytest.raises(ValueError, match="precision='float32' sets the FID Inception network's arithmetic: leave it out"):
        extract_features(images(4, size=8), "digits", precision="float32")
    with pytest.raises(ValueError, match="leave it out for other feature extractors"):
        extract_features(images(4), tiny_extractor(), precision="bfloat16")


# bad inputs


def test_mismatched_feature_dimensions_raise():
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(10, 3)), rng.normal(size=(10, 4))
    for metric in (frechet_distance_from_features, kernel_inception_distance_from_features, precision_recall_from_features):
        with pytest.raises(ValueError, match="one dimension, got 3 and 4"):
            metric(real, fake)
    with pytest.raises(ValueError, match="one dimension d"):
        frechet_distance_from_statistics(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_too_few_samples_raise():
    one, many = np.zeros((1, 3)), np.random.default_rng(10).normal(size=(10, 3))
    for metric in (frechet_distance_from_features, kernel_inception_distance_from_features, precision_recall_from_features):
        with pytest.raises(ValueError, match="N >= 2"):
            metric(one, many)
    with pytest.raises(ValueError, match="more than k=3"):
        precision_recall_from_features(many[:3], many)
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(images(1), images(5), tiny_extractor())


def test_non_finite_features_raise():
    features = np.random.default_rng(11).normal(size=(10, 3))
    features[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        frechet_distance_from_features(features, np.ones((5, 3)))
    broken = images(6)
    broken[2] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        extract_features(broken, tiny_extractor())


def test_bad_images_or_extractors_raise():
    model = tiny_extractor(size=6)
    with pytest.raises(ValueError, match=r"takes images of shape \(6, 6, 1\), got images of shape \(8, 8, 1\)"):
        frechet_distance(images(5, size=8), images(5, size=8), model)
    with pytest.raises(ValueError, match="_from_features"):
        frechet_distance(np.zeros((10, 5)), np.zeros((10, 5)), model)
    with pytest.raises(ValueError, match="dataset.batch"):
        extract_features(tf.data.Dataset.from_tensor_slices(images(5)), model)
    with pytest.raises(ValueError, match="must output \\(batch, features\\)"):
        extract_features(images(5), model, layer=model.layers[1].name)
    with pytest.raises(ValueError, match="must be a keras.Model"):
        extract_features(images(5), lambda x: x)
    with pytest.raises(ValueError, match="got no images"):
        extract_features(images(0), model)
    with pytest.raises(ValueError, match="batch_size"):
        extract_features(images(5), model, batch_size=0)
