"""kerasgan.evaluation and `kerasgan evaluate`: the scores each kind of zoo model gets (tiny models, no training)."""
import json

import keras
import numpy as np
import pytest
from test_cli import kerasgan

from kerasgan import data, evaluation, metrics
from kerasgan.zoo import CGAN, DANN, DCGAN, GAN, CycleGAN, Pix2Pix

IMAGE_SCORES = {"frechet_distance", "kid", "kid_std", "precision", "recall", "examples"}
INCEPTION_SCORES = {"fid", "kid", "kid_std", "precision", "recall", "examples"}


def tiny_classifier(size=16, channels=1, name="tiny_digits_classifier"):
    """A stand-in for the digits classifier: softmax over 10 classes with a "features" layer."""
    inputs = keras.Input((size, size, channels))
    features = keras.layers.Dense(6, activation="relu", name="features")(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(features), name=name)


@pytest.fixture
def fake_classifiers(monkeypatch, tmp_path):
    """metrics.digits_classifier -> tiny untrained classifiers (1 channel for digits, 3 for digits_m); the cache
    of real features in a fresh folder."""
    made = {}
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))

    def classifier(image_size, cache_dir=None, dataset="digits"):
        key = (image_size, dataset)
        made.setdefault(key, tiny_classifier(image_size, 1 if dataset == "digits" else 3))
        return made[key]

    monkeypatch.setattr(metrics, "digits_classifier", classifier)
    monkeypatch.setattr(metrics.features, "digits_classifier", classifier)
    return made


def test_an_image_gan_gets_fd_kid_precision_and_recall(fake_classifiers):
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
    scores = evaluation.evaluate(model, "digits", num_images=40, seed=0, feature_extractor="digits")
    assert set(scores) == IMAGE_SCORES and scores["examples"] == 40
    assert scores["frechet_distance"] > 0 and 0 <= scores["precision"] <= 1 and 0 <= scores["recall"] <= 1
    # the same seed, the same samples
    assert evaluation.evaluate(model, "digits", num_images=40, seed=0, feature_extractor="digits") == scores


def test_an_own_feature_extractor_scores_any_dataset_and_the_digits_classifier_only_digits(fake_classifiers):
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
    extractor = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(), keras.layers.Dense(4)])
    with pytest.raises(ValueError, match="digits classifiers judge only digits and digits_m, not 'mnist'.*'inception'"):
        evaluation.evaluate(model, "mnist", num_images=30, feature_extractor="digits")
    with pytest.raises(ValueError, match="feature_extractor must be one of inception, digits or a keras.Model"):
        evaluation.evaluate(model, "mnist", num_images=30, feature_extractor="vgg")
    scores = evaluation.evaluate(model, "mnist", num_images=30, feature_extractor=extractor)
    assert set(scores) == IMAGE_SCORES and np.isfinite(scores["frechet_distance"])


def test_cgan_adds_the_label_accuracy_of_its_samples(fake_classifiers):
    model = CGAN(image_shape=(16, 16, 1), num_classes=10, latent_dim=8, filters=8, seed=1)
    scores = evaluation.evaluate(model, "digits", num_images=30, feature_extractor="digits")
    assert set(scores) == IMAGE_SCORES | {"label_accuracy"} and 0 <= scores["label_accuracy"] <= 1


def test_the_mlp_gan_gets_mode_coverage_and_only_on_mixtures():
    model = GAN(data_dim=2, latent_dim=2, units=8, depth=1, seed=1)
    scores = evaluation.evaluate(model, "grid25", num_images=500)
    assert scores["num_modes"] == 25 and 0 <= scores["hq_fraction"] <= 1
    with pytest.raises(ValueError, match="mode coverage of ring8 or grid25, not 'moons'"):
        evaluation.evaluate(model, "moons", num_images=10)


@pytest.mark.parametrize("dataset", ["colorization", "edges2photos"])
def test_pix2pix_gets_l1_psnr_ssim_and_fid_on_held_out_pairs(dataset, fake_inception):
    model = Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1)
    scores = evaluation.evaluate(model, dataset, num_images=12)
    assert set(scores) == {"l1", "psnr", "ssim", "fid", "examples"} and scores["examples"] == 12
    assert 0 < scores["l1"] < 2 and scores["ssim"] < 1 and scores["fid"] > 0
    assert sum(fake_inception) == 24  # the targets and the translations


def test_cyclegan_gets_label_preservation_both_ways_on_digits2digits_m(fake_classifiers):
    model = CycleGAN(image_shape=(16, 16, 3), filters=4, residual_blocks=1, pool_size=4, seed=1)
    scores = evaluation.evaluate(model, "digits2digits_m", num_images=20)
    assert {"label_preservation_a_to_b", "label_preservation_b_to_a", "cycle_l1_a", "cycle_l1_b"} <= set(scores)
    assert set(fake_classifiers) == {(16, "digits"), (16, "digits_m")}


def test_cyclegan_on_mnist2mnist_m_adds_the_fid_of_each_translated_set(fake_classifiers, fake_inception):
    model = CycleGAN(image_shape=(28, 28, 3), filters=4, residual_blocks=1, pool_size=4, seed=1)
    scores = evaluation.evaluate(model, "mnist2mnist_m", num_images=12)
    assert {"label_preservation_a_to_b", "label_preservation_b_to_a", "fid_a_to_b", "fid_b_to_a"} <= set(scores)
    assert set(fake_classifiers) == {(28, "mnist"), (28, "mnist_m")} and scores["fid_a_to_b"] > 0
    assert sum(fake_inception) == 4 * 12  # the real images of both domains and both translated sets
    references = evaluation.reference_scores("mnist2mnist_m", num_images=12, image_size=28)
    assert set(references) == {"untranslated_a_to_b", "untranslated_b_to_a", "real_a", "real_b"}


def test_dann_gets_its_accuracy_on_the_labelled_target():
    model = DANN(input_shape=(2,), num_classes=2, seed=1)
    scores = evaluation.evaluate(model, "moons_rotated", num_images=100)
    assert scores["examples"] == 100 and 0 <= scores["class_accuracy"] <= 1


def test_kerasgan_evaluate_prints_and_writes_the_scores(tmp_path):
    """The console script on a tiny MLP GAN saved as `kerasgan train` saves it."""
    model = GAN(data_dim=2, latent_dim=2, units=8, depth=1, seed=1)
    model.compile()
    model.save(tmp_path / "gan.keras")
    output = tmp_path / "scores.json"
    result = kerasgan("evaluate", f"--model_path={tmp_path / 'gan.keras'}", "--dataset=ring8", "--num_images=400",
                      f"--output={output}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "GAN on ring8 (test):" in result.stdout and "hq_fraction:" in result.stdout
    assert json.loads(output.read_text())["num_modes"] == 8
    result = kerasgan("evaluate", f"--model_path={tmp_path / 'gan.keras'}", "--dataset=digits")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "mode coverage of ring8 or grid25, not 'digits'" in result.stderr


def test_quality_metrics_callback_scores_every_n_epochs_and_the_last(tmp_path):
    from kerasgan.callbacks import QualityMetrics
    from kerasgan.data import load

    model = GAN(data_dim=2, latent_dim=2, units=8, depth=1, seed=1)
    model.compile()
    quality = QualityMetrics("ring8", every=2, num_images=300, log_dir=str(tmp_path / "logs"))
    history = model.fit(load("ring8", batch_size=100, num_samples=200), epochs=3, verbose=0, callbacks=[quality])
    assert quality.epochs == [2, 3]
    assert len(history.history["quality_hq_fraction"]) == 2 and len(history.history["g_loss"]) == 3
    assert set(history.history) >= {"quality_modes", "quality_reverse_kl"}
    assert any(path.name.startswith("events") for path in (tmp_path / "logs" / "quality").iterdir())
    with pytest.raises(ValueError, match="every must be a positive number of epochs"):
        QualityMetrics("ring8", every=0)


def test_kerasgan_train_scores_quality_into_its_history(tmp_path):
    run = tmp_path / "run"
    result = kerasgan("train", "--model=gan", "--dataset=ring8", "--num_samples=400", "--batch_size=100", "--units=8",
                      "--depth=1", "--epochs=2", "--quality_every=1", f"--output_dir={run}",
                      f"--export_dir={tmp_path / 'sm'}")
    assert result.returncode == 0, result.stderr[-3000:]
    history = json.loads((run / "history.json").read_text())
    assert len(history["quality_modes"]) == 2 and all(0 <= m <= 8 for m in history["quality_modes"])


def test_reference_scores_score_real_data_as_a_model_would_be(fake_classifiers):
    mixture = evaluation.reference_scores("grid25", num_images=2500)
    assert mixture["modes"] == 25 and mixture["hq_fraction"] > 0.97  # 3 std holds 98.9% of a 2-D Gaussian
    inputs, targets = data.examples("colorization", "test", 20, image_size=16, paired=True)
    baseline = evaluation.reference_scores("colorization", num_images=20, image_size=16)
    assert baseline["l1"] == pytest.approx(float(np.mean(np.abs(np.broadcast_to(inputs, targets.shape) - targets))), rel=1e-5)
    floor = evaluation.reference_scores("digits", num_images=50, image_size=16, feature_extractor="digits")
    assert floor["examples"] == 50 and floor["frechet_distance"] > 0 and 0 <= floor["precision"] <= 1
    domains = evaluation.reference_scores("digits2digits_m", num_images=30, image_size=16)
    assert set(domains) == {"untranslated_a_to_b", "untranslated_b_to_a", "real_a", "real_b"}


@pytest.fixture
def fake_inception(monkeypatch, tmp_path):
    """fid_inception -> a tiny stand-in taking any image size; the cache in a fresh folder. Counts its calls."""
    calls = []
    inputs = keras.Input((None, None, None))
    grey = keras.layers.Lambda(lambda images: keras.ops.mean(images, axis=-1, keepdims=True))(inputs)
    features = keras.layers.Dense(5)(keras.layers.Flatten()(keras.layers.Resizing(8, 8)(grey)))
    stand_in = keras.Model(inputs, features, name="tiny_inception")
    original = stand_in.predict_on_batch
    stand_in.predict_on_batch = lambda batch: calls.append(len(batch)) or original(batch)
    monkeypatch.setattr(metrics.features, "fid_inception", lambda: stand_in)
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))
    return calls


def test_inception_is_the_default_and_the_real_side_is_cached(fake_inception, tmp_path):
    model = DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=8, seed=1)
    scores = evaluation.evaluate(model, "mnist", num_images=30, seed=0)
    assert set(scores) == INCEPTION_SCORES and scores["examples"] == 30 and scores["fid"] > 0
    assert sum(fake_inception) == 60  # 30 real, 30 generated
    cached = list((tmp_path / "cache" / "real_features").iterdir())
    assert len(cached) == 1 and "mnist" in cached[0].name and np.load(cached[0]).shape[0] == 30
    fake_inception.clear()
    assert evaluation.evaluate(model, "mnist", num_images=30, seed=0) == scores
    assert sum(fake_inception) == 30  # only the generated side: the real features come from the cache


def test_a_damaged_real_feature_cache_is_one_line_and_left_as_it_is(fake_inception, tmp_path):
    model = DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=8, seed=1)
    evaluation.evaluate(model, "mnist", num_images=20)
    (path,) = (tmp_path / "cache" / "real_features").iterdir()
    path.write_bytes(b"not a numpy file")
    with pytest.raises(ValueError, match=f"cached real features {path} are damaged .*delete the file"):
        evaluation.evaluate(model, "mnist", num_images=20)
    assert path.read_bytes() == b"not a numpy file"


def test_a_folder_is_scored_on_its_held_out_images_and_not_cached(fake_inception, tmp_path):
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(40):
        Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(folder / f"{index:02d}.png")
    model = DCGAN(image_shape=(16, 16, 3), latent_dim=8, filters=8, seed=1)
    scores = evaluation.evaluate(model, str(folder))
    assert scores["examples"] == 4  # the held-out tenth of 40 images
    assert not (tmp_path / "cache" / "real_features").exists()


def test_kerasgan_trains_on_mnist_and_evaluates_with_the_inception_fid_offline(tmp_path):
    """The README's path on real data: train on MNIST, then `kerasgan evaluate` prints Inception FID and KID."""
    run = tmp_path / "run"
    result = kerasgan("train", "--model=dcgan", "--dataset=mnist", "--num_samples=128", "--batch_size=64",
                      "--filters=8", "--latent_dim=8", "--epochs=1", f"--output_dir={run}",
                      f"--export_dir={tmp_path / 'sm'}")
    assert result.returncode == 0, result.stderr[-3000:]
    result = kerasgan("evaluate", f"--model_path={run / 'model.keras'}", "--dataset=mnist", "--num_images=24",
                      f"--output={tmp_path / 'scores.json'}", timeout=900)  # the Inception network, on a busy machine
    assert result.returncode == 0, result.stderr[-3000:]
    assert "real data" in result.stdout
    assert "DCGAN on mnist (test):" in result.stdout and "fid:" in result.stdout and "kid:" in result.stdout
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["examples"] == 24 and scores["fid"] > 0


def test_features_cached_for_one_network_are_not_read_for_another(fake_inception, tmp_path, monkeypatch):
    model = DCGAN(image_shape=(28, 28, 1), latent_dim=8, filters=8, seed=1)
    evaluation.evaluate(model, "mnist", num_images=20)
    inputs = keras.Input((None, None, None))
    grey = keras.layers.Lambda(lambda images: keras.ops.mean(images, axis=-1, keepdims=True))(inputs)
    other = keras.Model(inputs, keras.layers.Dense(5)(keras.layers.Flatten()(keras.layers.Resizing(8, 8)(grey))))
    monkeypatch.setattr(metrics.features, "fid_inception", lambda: other)
    evaluation.evaluate(model, "mnist", num_images=20)
    assert len(list((tmp_path / "cache" / "real_features").iterdir())) == 2
