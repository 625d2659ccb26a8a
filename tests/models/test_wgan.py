"""WGAN with weight clipping and with the gradient penalty (Arjovsky et al. 2017; Gulrajani et al. 2017): the model
contract at tiny sizes; the Wasserstein estimate and gradient penalty it reports, clipping's bound on the critic, and
bad settings."""
import keras
import numpy as np
import pytest

from kerasgan import testing
from kerasgan.zoo import WGAN

CASES = [
    testing.ModelCase(
        name="wgan_gp",
        make=lambda: WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, critic_steps=3, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=8249,  # G: 5281 as DCGAN; critic: 136 + 2064 + LayerNorm 512 + 256 (no logit bias)
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 3)},
        resume_with_xla=True,
    ),
    testing.ModelCase(
        name="wgan_clip",
        make=lambda: WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, penalty="clip", critic_steps=2, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=8249,  # the same networks as wgan_gp
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
        resume_with_xla=True,
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
