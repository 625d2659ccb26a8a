"""DCGAN (Radford et al. 2015): the model contract at tiny sizes."""
import pytest

from kerasgan import testing
from kerasgan.zoo import DCGAN

CASES = [
    testing.ModelCase(
        name="dcgan",
        make=lambda: DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=7786,  # G: 2048 + BN 1024 + 2048 + BN 32 + 129; D: 136 + 2048 + BN 64 + 257
        updates=testing.ONE_EACH,
    ),
    testing.ModelCase(
        name="dcgan_rgb_k2",
        make=lambda: DCGAN(image_shape=(8, 8, 3), latent_dim=4, filters=4, discriminator_steps=2, seed=1),
        batch=lambda: testing.images((8, 8, 3)),
        params=968,  # G: 256 + BN 256 + 195; D: 196 + 65
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
    ),
    testing.ModelCase(
        name="dcgan_ema",
        make=lambda: DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, ema_decay=0.9, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=13067,  # the 7786 of dcgan, and the averaged generator's 5281
        updates=testing.ONE_EACH,
    ),
    testing.ModelCase(
        name="dcgan_diff_augment",
        make=lambda: DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, diff_augment="color,translation,cutout", seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=7786,  # DiffAugment has no weights
        updates=testing.ONE_EACH,
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

