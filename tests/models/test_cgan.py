"""CGAN (Mirza & Osindero 2014): the model contract at tiny sizes."""
import pytest

from kerasgan import testing
from kerasgan.zoo import CGAN

CASES = [
    testing.ModelCase(
        name="cgan",
        make=lambda: CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, seed=1),
        batch=lambda: testing.labelled((16, 16, 1), 3),
        params=21632,  # G: emb 150 + 14848 + BN 1024 + 2048 + BN 32 + 129; D: emb 768 + 264 + 2048 + BN 64 + 257
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
