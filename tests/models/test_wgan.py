"""WGAN with weight clipping and with the gradient penalty (Arjovsky et al. 2017; Gulrajani et al. 2017): the model
contract at tiny sizes."""
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
    ),
    testing.ModelCase(
        name="wgan_clip",
        make=lambda: WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, penalty="clip", critic_steps=2, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=8249,  # the same networks as wgan_gp
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
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
