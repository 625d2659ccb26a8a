"""EnsembleGAN (Durugkar et al. 2017): the model contract at tiny sizes."""
import pytest

from kerasgan import testing
from kerasgan.zoo import EnsembleGAN

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
