"""Options of the GAN family, each tried on one model: the discriminator's regularizers (DCGAN's spectral norm, the
base class's R1 penalty and instance noise) through DCGAN, and the Wasserstein loss with the gradient penalty and k
discriminator steps through the MLP GAN. Each model's own tests are in tests/models/."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import testing
from kerasgan.zoo import DCGAN, GAN


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
