"""Options of the GAN family, each tried on one model: the discriminator's regularizers (DCGAN's spectral norm, the
base class's R1 penalty and instance noise) through DCGAN, InfoGAN's hidden dense layers through the three
models that take them, and the Wasserstein loss with the gradient penalty and k
discriminator steps through the MLP GAN. Each model's own tests are in tests/models/."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import testing
from kerasgan.zoo import CGAN, DCGAN, GAN, WGAN


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


@pytest.mark.parametrize("make, batch", [
    (lambda **kw: DCGAN(image_shape=(28, 28, 1), **kw), lambda: testing.images((28, 28, 1))),
    (lambda **kw: WGAN(image_shape=(28, 28, 1), **kw), lambda: testing.images((28, 28, 1))),
    (lambda **kw: CGAN(image_shape=(28, 28, 1), num_classes=3, **kw), lambda: testing.labelled((28, 28, 1), 3)),
], ids=["dcgan", "wgan", "cgan"])
def test_dense_units_give_both_networks_infogans_hidden_dense_layer(make, batch, tmp_path):
    model = make(latent_dim=8, filters=8, dense_units=32, seed=1)
    widths = lambda network: [layer.units for layer in network.layers if isinstance(layer, keras.layers.Dense)]  # noqa: E731
    assert widths(model.generator)[0] == 32 and widths(model.generator)[-1] == 7 * 7 * 16
    assert widths(model.discriminator) == [32, 1]
    model.compile()
    testing.fit_steps(model, batch(), 1)
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert restored.dense_units == 32
    np.testing.assert_allclose(restored.generate(2, seed=0), model.generate(2, seed=0), atol=1e-6)
    with pytest.raises(ValueError, match="dense_units must be an integer >= 0"):
        make(filters=8, dense_units=-1)
