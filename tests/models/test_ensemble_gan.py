"""EnsembleGAN (Durugkar et al. 2017): the model contract at tiny sizes; the input-noise levels, each discriminator's
step on its own loss and the generator's on their average (against the plain GAN), the ensemble profile, bad
settings, and training on images with the profile in the evaluation."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import evaluation, testing
from kerasgan.zoo import GAN, EnsembleGAN
from kerasgan.zoo.ensemble_gan import noise_levels

CASES = [
    testing.ModelCase(
        name="ensemble_gan_mlp",
        make=lambda: EnsembleGAN(data_dim=2, latent_dim=2, units=8, depth=1, num_discriminators=3, seed=1),
        batch=lambda: testing.points(2),
        params=141,  # G: 24 + 18; 3 D: 3 x (24 + 9)
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminators", 1)},
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


POINTS = testing.points(2)


def sgd_pair(generator_rate, discriminator_rate):
    return dict(
        generator_optimizer=keras.optimizers.SGD(generator_rate),
        discriminator_optimizer=keras.optimizers.SGD(discriminator_rate),
        jit_compile=False,
    )


def test_noise_falls_linearly_from_max_noise_to_zero():
    assert noise_levels(5, 2.0) == [2.0, 1.5, 1.0, 0.5, 0.0]
    assert noise_levels(1, 2.0) == [0.0]
    assert EnsembleGAN(units=8, depth=1, num_discriminators=3, max_noise=1.0).noise_levels == [1.0, 0.5, 0.0]


def test_each_discriminator_learns_its_own_loss_and_the_generator_their_average():
    """Two noise-free copies of one D: each gets the plain GAN's D step (the average loss's gradient is its
    own over n, hence twice the rate), and G gets the plain GAN's step (the average of two equal losses)."""
    plain = GAN(latent_dim=2, units=8, depth=1, seed=3)
    ensemble = EnsembleGAN(latent_dim=2, units=8, depth=1, num_discriminators=2, max_noise=0.0, seed=3)
    ensemble.generator.set_weights(plain.generator.get_weights())
    for discriminator in ensemble.discriminators:
        discriminator.set_weights(plain.discriminator.get_weights())
    plain.compile(**sgd_pair(0.1, 0.1))
    ensemble.compile(**sgd_pair(0.1, 0.2))
    for model in (plain, ensemble):
        model.fit(tf.data.Dataset.from_tensors(POINTS).repeat(1), verbose=0)
    for discriminator in ensemble.discriminators:
        for mine, reference in zip(discriminator.get_weights(), plain.discriminator.get_weights()):
            np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)
    for mine, reference in zip(ensemble.generator.get_weights(), plain.generator.get_weights()):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


def test_input_noise_reaches_the_weak_discriminators_only():
    ensemble = EnsembleGAN(latent_dim=2, units=8, depth=1, num_discriminators=3, max_noise=2.0, seed=3)
    for discriminator in ensemble.discriminators[1:]:
        discriminator.set_weights(ensemble.discriminators[0].get_weights())
    ensemble.compile(**sgd_pair(0.1, 0.1))
    history = ensemble.fit(tf.data.Dataset.from_tensors(POINTS).repeat(1), verbose=0).history
    weights = [np.concatenate([w.ravel() for w in d.get_weights()]) for d in ensemble.discriminators]
    assert not np.allclose(weights[0], weights[2]) and not np.allclose(weights[1], weights[2])
    assert history["d_loss"][0] == pytest.approx(np.mean([history[f"profile_{i}"][0] for i in range(3)]), rel=1e-5)


def test_the_ensemble_profile_is_each_discriminators_loss_on_real_and_fake():
    ensemble = EnsembleGAN(latent_dim=2, units=8, depth=1, num_discriminators=2, max_noise=0.0, seed=3)
    fake = POINTS[::-1] + 3
    profile = ensemble.ensemble_profile(POINTS, fake, batch_size=3)
    softplus = lambda t: np.logaddexp(0, t)  # noqa: E731 (-log sigmoid(t) = softplus(-t))
    for index, discriminator in enumerate(ensemble.discriminators):
        real_logits, fake_logits = discriminator.predict(POINTS, verbose=0), discriminator.predict(fake, verbose=0)
        expected = np.mean(softplus(-real_logits)) + np.mean(softplus(fake_logits))
        assert profile[f"profile_{index}"] == pytest.approx(expected, rel=1e-5)


def test_the_ensemble_profile_gives_each_discriminator_its_noise_drawn_from_the_seed():
    ensemble = EnsembleGAN(latent_dim=2, units=8, depth=1, num_discriminators=2, max_noise=2.0, seed=3)
    ensemble.discriminators[1].set_weights(ensemble.discriminators[0].get_weights())
    fake = POINTS[::-1] + 3
    profile = ensemble.ensemble_profile(POINTS, fake, seed=1)
    assert profile == ensemble.ensemble_profile(POINTS, fake, seed=1)
    assert profile["profile_0"] != pytest.approx(profile["profile_1"])  # the same D, but D_0 sees noise of std 2


def test_ensemble_settings_are_checked():
    with pytest.raises(ValueError, match="num_discriminators must be an integer >= 1"):
        EnsembleGAN(num_discriminators=0)
    with pytest.raises(ValueError, match="max_noise is a standard deviation"):
        EnsembleGAN(max_noise=-1.0)
    with pytest.raises(ValueError, match="got 1 discriminators for num_discriminators=2"):
        EnsembleGAN(units=8, depth=1, num_discriminators=2, discriminators=[keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])])


def test_the_ensemble_trains_on_images_and_evaluation_reports_its_profile():
    ensemble = EnsembleGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, num_discriminators=2, seed=1)
    ensemble.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    history = ensemble.fit(tf.data.Dataset.from_tensors(images).repeat(2), verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "profile_0", "profile_1"}
    mixture = EnsembleGAN(units=8, depth=1, num_discriminators=2, seed=1)
    scores = evaluation.evaluate(mixture, "grid25", num_images=200)
    assert {"modes", "hq_fraction", "profile_0", "profile_1"} <= set(scores)
