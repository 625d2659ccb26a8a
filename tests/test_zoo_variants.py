"""CGAN, WGAN and EBGAN beyond the shared contract: their papers' specifics and bad input."""
import numpy as np
import keras
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.zoo import CGAN, DCGAN, EBGAN, GAN, WGAN

from kerasgan import testing


def tiny_cgan(**kwargs):
    return CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, seed=0, **kwargs)


def test_cgan_generates_the_requested_labels_in_the_given_order():
    model = tiny_cgan()
    z = model.sample_latent(4, seed=2)
    by_label = model.generate(4, seed=2, labels=[2, 0, 1, 2])
    np.testing.assert_allclose(by_label, model.predict([z, np.array([2, 0, 1, 2], "int32")], verbose=0), atol=1e-6)
    np.testing.assert_allclose(model.generate(4, seed=2, labels=1), model.predict([z, np.ones(4, "int32")], verbose=0), atol=1e-6)
    default = model.predict([z, np.array([0, 1, 2, 0], "int32")], verbose=0)  # labels cycle through the classes
    np.testing.assert_allclose(model.generate(4, seed=2), default, atol=1e-6)


@pytest.mark.parametrize("labels", [[0, 3], -1, [0.5]])
def test_cgan_rejects_labels_outside_the_classes(labels):
    with pytest.raises(ValueError, match=r"labels must be (in \[0, 3\)|integers)"):
        tiny_cgan().generate(2, labels=labels)


def test_cgan_fit_needs_labels_in_range():
    model = tiny_cgan()
    model.compile()
    images = np.zeros((8, 16, 16, 1), "float32")
    with pytest.raises(ValueError, match=r"CGAN trains on \(images, labels\) batches but the dataset yields float32 .*with_labels=True"):
        model.fit(tf.data.Dataset.from_tensors(images), verbose=0)
    with pytest.raises(ValueError, match="pass fit\\(images, labels\\)"):
        model.fit(images, verbose=0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\), got \[7\]"):
        model.fit(images, np.full(8, 7), verbose=0)
    with pytest.raises(ValueError, match=r"the dataset's labels must be in \[0, 3\), got \[5\]"):
        model.fit(tf.data.Dataset.from_tensors((images, np.full(8, 5, "int32"))), verbose=0)
    history = model.fit(images, np.arange(8) % 3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        CGAN(image_shape=(16, 16, 1), num_classes=1)


def test_cgan_signatures_take_labels(tmp_path):
    model = tiny_cgan()
    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "cgan")))
    inputs = loaded.signatures["serving_default"].structured_input_signature[1]
    assert {name: spec.dtype for name, spec in inputs.items()} == {"z": tf.float32, "labels": tf.int32}
    generated = loaded.signatures["generate"](
        num_images=tf.constant(4), seed=tf.constant(3, tf.int64), labels=tf.constant([1], tf.int32)
    )["images_uint8"].numpy()
    expected = np.round((model.generate(4, seed=3, labels=1) + 1) * 127.5)
    assert np.abs(generated.astype(int) - expected).max() <= 1
    path = export.tflite(model, str(tmp_path / "cgan.tflite"))
    assert export.tflite_parity(model, path)["max_abs_error"] <= 1e-4


def test_wgan_reports_the_wasserstein_estimate_and_penalty():
    model = WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, critic_steps=2, seed=0)
    model.compile()
    assert model.critic is model.discriminator
    assert isinstance(model.generator_optimizer, keras.optimizers.Adam) and model.generator_optimizer.beta_2 == 0.9
    history = testing.fit_steps(model, testing.images((16, 16, 1)), 1)
    assert set(history.history) == {"d_loss", "g_loss", "wasserstein_estimate", "gradient_penalty"}
    assert history.history["gradient_penalty"][0] >= 0
    assert not [layer for layer in model.critic.layers if isinstance(layer, keras.layers.BatchNormalization)]


def test_wgan_clipping_keeps_every_critic_weight_in_bounds():
    model = WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, penalty="clip", clip_value=0.02, critic_steps=2, seed=0)
    model.compile()
    assert isinstance(model.discriminator_optimizer, keras.optimizers.RMSprop)
    testing.fit_steps(model, testing.images((16, 16, 1)), 2)
    largest = max(float(np.abs(np.array(v)).max()) for v in model.critic.trainable_variables)
    assert largest <= 0.02 + 1e-7
    assert "gradient_penalty" not in model.metric_names


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(penalty="clip", clip_value=-0.01), "clip_value must be > 0"),
        (dict(critic_steps=0), "critic_steps must be an integer >= 1"),
        (dict(penalty="r1"), "WGAN's penalty is 'gp'"),
        (dict(normalization="batch"), "batch norm breaks"),
    ],
)
def test_wgan_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WGAN(image_shape=(16, 16, 1), **kwargs)


def test_ebgan_energies_and_pull_away_term():
    model = EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, embedding_dim=8, margin=0.5, seed=0)
    model.compile()
    history = testing.fit_steps(model, testing.images((16, 16, 1)), 1)
    logs = {name: values[0] for name, values in history.history.items()}
    assert set(logs) == {"d_loss", "g_loss", "pull_away_term", "real_energy", "fake_energy"}
    assert 0.0 <= logs["pull_away_term"] <= 1.0
    # the discriminator loss is D(x) + [m - D(G(z))]_+ >= D(x) >= 0
    assert logs["d_loss"] >= 0 and logs["real_energy"] >= 0
    with pytest.raises(ValueError, match="margin must be > 0"):
        EBGAN(image_shape=(16, 16, 1), margin=0)


def test_classifier_regularizers_reach_the_discriminator():
    sn = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, spectral_norm=True)
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in sn.discriminator.layers)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in sn.discriminator.layers)
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, penalty="r1", instance_noise=0.1, seed=0)
    model.compile()
    history = testing.fit_steps(model, testing.images((16, 16, 1)), 1)
    assert history.history["r1_penalty"][0] > 0
    with pytest.raises(ValueError, match="instance_noise is a standard deviation"):
        DCGAN(image_shape=(16, 16, 1), instance_noise=-1.0)
    with pytest.raises(ValueError, match="unknown penalty"):
        DCGAN(image_shape=(16, 16, 1), penalty="l2")


def test_instance_noise_changes_what_the_discriminator_sees():
    batch = testing.images((16, 16, 1))
    losses = []
    for noise in (0.0, 1.0):
        model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, instance_noise=noise, seed=0)
        keras.utils.set_random_seed(0)
        real = model.discriminate(tf.constant(batch), ())
        losses.append(np.array(real))
    assert not np.allclose(losses[0], losses[1])


def test_mlp_gan_trains_as_wgan_gp_on_a_mixture():
    model = GAN(units=16, depth=2, latent_dim=4, loss="wasserstein", penalty="gp", penalty_weight=0.1,
                discriminator_steps=5, seed=0)
    model.compile()
    assert model.generator_optimizer.beta_2 == 0.9
    from kerasgan import data

    history = model.fit(data.load("grid25", batch_size=64, num_samples=256), verbose=0)
    assert np.isfinite(history.history["gradient_penalty"][0])
    assert testing.iterations(model, "discriminator_optimizer") == 5 * testing.iterations(model, "generator_optimizer")
