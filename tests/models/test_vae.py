"""VAE (Kingma & Welling 2014): the model contract at tiny sizes; the loss terms against their formulas, learning
to reconstruct, encode / decode / reconstruct, training through the CLI, and bad input."""
import json
import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import testing
from kerasgan.zoo import VAE

ONE_OPTIMIZER = {"generator_optimizer": (("encoder", "decoder"), 1)}
CASES = [
    testing.ModelCase(
        name="vae",
        make=lambda: VAE(image_shape=(16, 16, 1), latent_dim=4, filters=4, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=3261,  # encoder: conv 68 + conv 512 + BN 32 + two heads of 260; decoder: 1024 + BN 256 + 513 + BN 16 + 65
        updates=ONE_OPTIMIZER,
    ),
    testing.ModelCase(
        name="vae_gaussian_dense",
        make=lambda: VAE(image_shape=(8, 8, 3), latent_dim=3, filters=4, dense_units=8, reconstruction="gaussian", seed=1),
        batch=lambda: testing.images((8, 8, 3)),
        params=1813,  # encoder: conv 196 + dense 512 + BN 32 + two heads of 27; decoder: 24 + BN 32 + 512 + BN 256 + 195
        updates=ONE_OPTIMIZER,
    ),
]
BY_NAME = pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)


@BY_NAME
def test_contract(case, tmp_path):
    testing.check_contract(case, tmp_path)


@pytest.mark.slow
@BY_NAME
@pytest.mark.parametrize("check", testing.SLOW_CHECKS)
def test_slow_contract(case, check, tmp_path):
    testing.check_contract(case, tmp_path, [check])


def _vae(**kwargs):
    return VAE(image_shape=(16, 16, 1), latent_dim=4, filters=4, seed=1, **kwargs)


def test_vae_negative_log_likelihoods_are_the_bernoulli_and_gaussian_formulas():
    images, decoded = testing.images((16, 16, 1), 2, seed=0), testing.images((16, 16, 1), 2, seed=1) * 0.9
    target, output = (images + 1) / 2, (decoded + 1) / 2
    bernoulli = -(target * np.log(output) + (1 - target) * np.log(1 - output))
    np.testing.assert_allclose(_vae().negative_log_likelihood(images, decoded), bernoulli.sum(axis=(1, 2, 3)), rtol=1e-5)
    std = 0.2
    gaussian = (target - output) ** 2 / (2 * std**2) + math.log(std * math.sqrt(2 * math.pi))
    model = _vae(reconstruction="gaussian", observation_std=std)
    np.testing.assert_allclose(model.negative_log_likelihood(images, decoded), gaussian.sum(axis=(1, 2, 3)), rtol=1e-5)


def test_vae_loss_is_reconstruction_plus_beta_kl_and_the_kl_is_the_closed_form():
    model = _vae(beta=0.25)
    images = testing.images((16, 16, 1), 8, seed=0)
    logs = {name: float(value) for name, value in model.losses_of(images, training=False).items()}
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + 0.25 * logs["kl_loss"], rel=1e-5)
    assert logs["elbo"] == pytest.approx(-(logs["reconstruction_loss"] + logs["kl_loss"]), rel=1e-5)
    mean, log_variance = model.encode(images)
    kl = 0.5 * np.sum(np.exp(log_variance) + mean**2 - 1 - log_variance, axis=-1)
    assert logs["kl_loss"] == pytest.approx(kl.mean(), rel=1e-4)
    model.compile()
    held_out = model.evaluate(tf.data.Dataset.from_tensors(images), verbose=0, return_dict=True)
    assert set(held_out) == {"loss", "reconstruction_loss", "kl_loss", "elbo"}
    assert held_out["kl_loss"] == pytest.approx(kl.mean(), rel=1e-4)  # the mean is deterministic; z is drawn


def test_vae_learns_to_reconstruct():
    rng = np.random.default_rng(0)
    images = np.where(rng.uniform(size=(4, 1, 1, 1)) < 0.5, -1.0, 1.0) * np.ones((4, 16, 16, 1))  # black or white
    images[:, 4:12, 4:12] *= -1  # with a square of the other colour
    images = images.astype("float32")
    model = _vae()
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = float(model.losses_of(images, training=False)["reconstruction_loss"])
    history = model.fit(tf.data.Dataset.from_tensors(images).repeat(150), verbose=0)
    after = float(model.losses_of(images, training=False)["reconstruction_loss"])
    assert after < 0.25 * before, (before, after)
    assert history.history["elbo"][0] > -before  # the ELBO rose from about its starting value
    assert np.mean(np.abs(model.reconstruct(images) - images)) < 0.5


def test_vae_encode_decode_reconstruct_and_generate():
    model = _vae()
    images = testing.images((16, 16, 1), 3, seed=0)
    mean, log_variance = model.encode(images)
    assert mean.shape == log_variance.shape == (3, 4)
    assert model.encode(images[0])[0].shape == (1, 4)
    assert model.decode(mean).shape == (3, 16, 16, 1)
    np.testing.assert_allclose(model.reconstruct(images), model.decode(mean), atol=1e-6)
    samples = model.generate(5, seed=7)
    assert samples.shape == (5, 16, 16, 1) and np.all(np.abs(samples) <= 1)
    np.testing.assert_array_equal(samples, model.generate(5, seed=7))


def test_vae_rejects_bad_input():
    with pytest.raises(ValueError, match="reconstruction must be 'bernoulli' or 'gaussian', got 'poisson'"):
        _vae(reconstruction="poisson")
    with pytest.raises(ValueError, match=r"beta must be >= 0 \(1: the ELBO\), got -1"):
        _vae(beta=-1)
    with pytest.raises(ValueError, match="observation_std must be > 0, got 0"):
        _vae(observation_std=0)
    with pytest.raises(ValueError, match=r"VAE needs image_shape, e.g. VAE\(image_shape=\(28, 28, 1\)\), or a decoder"):
        VAE()
    other = VAE(image_shape=(8, 8, 1), latent_dim=4, filters=4).encoder
    with pytest.raises(ValueError, match=r"a VAE encoder maps images of shape \(16, 16, 1\) to \[mean, log_variance\]"):
        _vae(encoder=other)
    model = _vae()
    with pytest.raises(ValueError, match="optimizer and generator_optimizer are the same setting"):
        model.compile(optimizer="adam", generator_optimizer="adam")
    with pytest.raises(ValueError, match=r"images must be images of shape \(N, 16, 16, 1\)"):
        model.encode(testing.images((8, 8, 1), 2))
    with pytest.raises(ValueError, match=r"z must have shape \(N, 4\), got \(2, 3\)"):
        model.decode(np.zeros((2, 3)))
    model.compile()
    with pytest.raises(ValueError, match=r"the dataset yields batches of shape \(4, 8, 8, 1\) but VAE takes \(None, 16, 16, 1\)"):
        model.fit(tf.data.Dataset.from_tensors(testing.images((8, 8, 1), 4)), verbose=0)


def test_vae_trains_samples_and_exports_through_the_cli(tmp_path):
    command = [os.path.join(os.path.dirname(sys.executable), "kerasgan")]
    run, exports = tmp_path / "run", tmp_path / "saved_models"
    result = subprocess.run(
        command + ["train", "--model=vae", "--dataset=digits", "--split=all", "--image_size=16", "--filters=4", "--latent_dim=4",
                   "--batch_size=64", "--epochs=1", "--beta=2", "--reconstruction=gaussian", f"--output_dir={run}",
                   f"--export_dir={exports}"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(str(run / "model.keras"))
    assert isinstance(model, VAE) and (model.beta, model.reconstruction, model.latent_dim) == (2.0, "gaussian", 4)
    assert set(json.loads((run / "history.json").read_text())) >= {"loss", "reconstruction_loss", "kl_loss", "elbo"}
    assert os.listdir(exports / "vae") == ["1"] and os.listdir(run / "samples")
    grid = tmp_path / "grid.png"
    sampled = subprocess.run(command + ["sample", f"--model_path={run / 'model.keras'}", "--num_images=8", f"--output={grid}"],
                             capture_output=True, text=True, timeout=300)
    assert sampled.returncode == 0 and grid.stat().st_size > 0, sampled.stderr[-2000:]
