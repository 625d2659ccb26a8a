"""The two seed-document remedies for GAN training failures: unrolled discriminator steps and the discriminator ensemble."""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import evaluation, losses, unrolling
from kerasgan.zoo import EBGAN, GAN, EnsembleGAN, Pix2Pix
from kerasgan.zoo.ensemble_gan import noise_levels
from test_cli import kerasgan

POINTS = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")


def linear_discriminator(seed=0):
    """D(x) = w.x + b: small enough to unroll by hand."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])


def by_hand(w, b, real, fake, steps, rate):
    """Gradient descent on the non-saturating D loss with the closed-form gradient of a linear D."""
    sigmoid = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    for _ in range(steps):
        p_real, p_fake = sigmoid(real @ w + b), sigmoid(fake @ w + b)
        # d/dlogit of -log sigmoid(real) is p - 1; of -log(1 - sigmoid(fake)) is p.
        grad_w = (real.T @ (p_real - 1) + fake.T @ p_fake) / len(real)
        grad_b = np.mean(p_real - 1, keepdims=True) + np.mean(p_fake, keepdims=True)
        w, b = w - rate * grad_w, b - rate * grad_b.reshape(b.shape)
    return fake @ w + b


def test_unrolled_logits_are_those_of_d_after_k_hand_computed_steps_and_d_is_unchanged():
    discriminator = linear_discriminator()
    before = [np.array(v) for v in discriminator.weights]
    real, fake = POINTS, POINTS[::-1] * 2 + 1
    _, discriminator_loss = losses.get("non_saturating")
    for steps in (0, 1, 3):
        logits = unrolling.unrolled_logits(discriminator, discriminator_loss, real, fake, (), steps, 0.5)
        np.testing.assert_allclose(np.array(logits), by_hand(*before, real, fake, steps, 0.5), rtol=1e-4, atol=1e-5)
    for variable, value in zip(discriminator.weights, before):
        np.testing.assert_array_equal(np.array(variable), value)


def test_the_generator_gradient_flows_through_the_unrolled_steps():
    """The unrolled loss depends on G also through D's updates (Metz et al., eq. 6): its gradient differs."""
    discriminator = linear_discriminator()
    generator_loss, discriminator_loss = losses.get("non_saturating")
    fake = tf.Variable(POINTS * 0.5)
    gradients = []
    for steps in (0, 2):
        with tf.GradientTape() as tape:
            logits = unrolling.unrolled_logits(discriminator, discriminator_loss, POINTS, fake, (), steps, 0.5)
            loss = tf.reduce_mean(generator_loss(logits))
        gradients.append(tape.gradient(loss, fake).numpy())
    assert np.all(np.isfinite(gradients[1])) and not np.allclose(gradients[0], gradients[1], atol=1e-4)


def test_unrolled_settings_are_checked_and_only_where_the_generator_loss_is_the_base_one():
    with pytest.raises(ValueError, match="unrolled_steps must be an integer >= 0"):
        GAN(unrolled_steps=-1)
    with pytest.raises(ValueError, match="unrolled_learning_rate must be > 0"):
        GAN(unrolled_steps=2, unrolled_learning_rate=0.0)
    with pytest.raises(ValueError, match="EBGAN has its own training step: unrolled_steps does not apply to it"):
        EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, unrolled_steps=2)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Pix2Pix: {'unrolled_steps': 2}"):
        Pix2Pix(input_shape=(16, 16, 1), filters=4, unrolled_steps=2)
    assert GAN.from_config(GAN(units=8, depth=1, unrolled_steps=3).get_config()).unrolled_steps == 3


def test_noise_falls_linearly_from_max_noise_to_zero():
    assert noise_levels(5, 2.0) == [2.0, 1.5, 1.0, 0.5, 0.0]
    assert noise_levels(1, 2.0) == [0.0]
    assert EnsembleGAN(units=8, depth=1, num_discriminators=3, max_noise=1.0).noise_levels == [1.0, 0.5, 0.0]


def sgd_pair(generator_rate, discriminator_rate):
    return dict(
        generator_optimizer=keras.optimizers.SGD(generator_rate),
        discriminator_optimizer=keras.optimizers.SGD(discriminator_rate),
        jit_compile=False,
    )


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


def test_the_command_line_trains_both_remedies_and_evaluates_them(tmp_path):
    tiny = ["--dataset=grid25", "--num_samples=512", "--batch_size=256", "--units=8", "--depth=1", "--epochs=1"]
    for model, option in (("ensemble_gan", "--num_discriminators=2"), ("gan", "--unrolled_steps=2")):
        run = tmp_path / model
        result = kerasgan("train", f"--model={model}", option, *tiny, f"--output_dir={run}",
                          f"--export_dir={tmp_path / 'saved_models'}", "--quality_every=1", "--quality_images=300")
        assert result.returncode == 0, result.stderr[-3000:]
        history = json.loads((run / "history.json").read_text())
        assert "quality_modes" in history
        scores = tmp_path / f"{model}.json"
        result = kerasgan("evaluate", f"--model_path={run / 'model.keras'}", "--dataset=grid25", "--num_images=300",
                          f"--output={scores}")
        assert result.returncode == 0, result.stderr[-3000:]
        assert ("profile_1" in json.loads(scores.read_text())) == (model == "ensemble_gan")
    result = kerasgan("train", "--model=gan", "--unrolled_steps=-2", *tiny, f"--output_dir={tmp_path / 'bad'}")
    assert result.returncode == 2 and "unrolled_steps must be an integer >= 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_conditional_gan_unrolls_through_its_label_embedding():
    from kerasgan.zoo import CGAN

    model = CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, unrolled_steps=2, seed=1)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    history = model.fit(tf.data.Dataset.from_tensors((images, np.arange(8) % 3)).repeat(2), verbose=0).history
    assert np.all(np.isfinite(history["g_loss"])) and int(model.discriminator_optimizer.iterations) == 2
