"""GAN, the MLP GAN for points (Goodfellow et al. 2014): the model contract at tiny sizes; unrolled discriminator
steps (Metz et al. 2017): the unrolled logits against steps taken by hand, and the generator's gradient through them."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import losses, testing, unrolling
from kerasgan.zoo import GAN

CASES = [
    testing.ModelCase(
        name="gan_mlp",
        make=lambda: GAN(data_dim=2, latent_dim=2, units=8, depth=1, seed=1),
        batch=lambda: testing.points(2),
        params=75,  # G: 24 + 18; D: 24 + 9
        updates=testing.ONE_EACH,
    ),
    testing.ModelCase(
        name="gan_mlp_unrolled",
        make=lambda: GAN(data_dim=2, latent_dim=2, units=8, depth=1, unrolled_steps=2, seed=1),
        batch=lambda: testing.points(2),
        params=75,  # gan_mlp's networks: the unrolled copies of D are not variables
        updates=testing.ONE_EACH,  # the unrolled steps do not update D
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
