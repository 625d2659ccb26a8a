"""Losses against values computed by hand from the papers' formulas."""
import math

import numpy as np
import pytest

from kerasgan import losses


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_minimax_and_non_saturating_generator_losses():
    # log(1 - D) and -log D at D = sigmoid(l)
    logits = np.array([[0.0], [2.0]], "float32")
    np.testing.assert_allclose(
        losses.minimax_generator_loss(logits), [math.log(0.5), math.log(1 - sigmoid(2.0))], rtol=1e-6
    )
    np.testing.assert_allclose(
        losses.non_saturating_generator_loss(logits), [math.log(2.0), -math.log(sigmoid(2.0))], rtol=1e-6
    )


def test_sigmoid_discriminator_loss_with_one_sided_label_smoothing():
    real, fake = np.array([[2.0]], "float32"), np.array([[-1.0]], "float32")
    target = 0.9
    expected = (
        -target * math.log(sigmoid(2.0))
        - (1 - target) * math.log(1 - sigmoid(2.0))
        - math.log(1 - sigmoid(-1.0))
    )
    np.testing.assert_allclose(losses.minimax_discriminator_loss(real, fake, 0.1), [expected], rtol=1e-6)
    np.testing.assert_allclose(
        losses.non_saturating_discriminator_loss(real, fake), [-math.log(sigmoid(2.0)) - math.log(sigmoid(1.0))],
        rtol=1e-6,
    )


def test_sigmoid_losses_are_stable_for_large_logits():
    big = np.array([[80.0], [-80.0]], "float32")
    assert np.all(np.isfinite(losses.minimax_discriminator_loss(big, -big)))
    np.testing.assert_allclose(losses.non_saturating_generator_loss(big), [0.0, 80.0], atol=1e-5)


def test_least_squares_losses():
    real, fake = np.array([1.5], "float32"), np.array([0.5], "float32")
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(real, fake), [0.5 * 0.25 + 0.5 * 0.25])
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(real, fake, 0.5), [0.5 * 1.0 + 0.5 * 0.25])
    np.testing.assert_allclose(losses.least_squares_generator_loss(fake), [0.5 * 0.25])


def test_hinge_losses():
    real, fake = np.array([0.5, 2.0], "float32"), np.array([-0.25, -2.0], "float32")
    np.testing.assert_allclose(losses.hinge_discriminator_loss(real, fake), [0.5 + 0.75, 0.0])
    np.testing.assert_allclose(losses.hinge_generator_loss(fake), [0.25, 2.0])


def test_wasserstein_losses():
    real, fake = np.array([3.0], "float32"), np.array([1.0], "float32")
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(real, fake), [-2.0])
    np.testing.assert_allclose(losses.wasserstein_generator_loss(fake), [-1.0])


@pytest.mark.parametrize("family", sorted(losses.FAMILIES))
def test_patch_logits_reduce_per_example(family):
    generator_loss, discriminator_loss = losses.get(family)
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, 3, 3, 1)).astype("float32"), rng.normal(size=(2, 3, 3, 1)).astype("float32")
    per_example = discriminator_loss(real, fake)
    assert tuple(per_example.shape) == (2,)
    assert tuple(generator_loss(fake).shape) == (2,)
    # an example's loss is the mean of its patches' losses
    patches = discriminator_loss(real[0].reshape(-1), fake[0].reshape(-1))
    assert float(per_example[0]) == pytest.approx(float(np.mean(patches)), rel=1e-5)
    assert float(generator_loss(fake)[1]) == pytest.approx(float(np.mean(generator_loss(fake[1].reshape(-1)))), rel=1e-5)


def test_get_rejects_unknown_family_and_smoothing_where_it_does_not_apply():
    with pytest.raises(ValueError, match="unknown loss 'wgan'.*non_saturating"):
        losses.get("wgan")
    with pytest.raises(ValueError, match="label_smoothing applies to"):
        losses.get("hinge", label_smoothing=0.1)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\)"):
        losses.get("minimax", label_smoothing=1.0)
