"""GAN, the MLP GAN for points (Goodfellow et al. 2014): the model contract at tiny sizes."""
import pytest

from kerasgan import testing
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
