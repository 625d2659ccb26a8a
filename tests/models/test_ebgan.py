"""EBGAN (Zhao et al. 2016): the model contract at tiny sizes."""
import pytest

from kerasgan import testing
from kerasgan.zoo import EBGAN

CASES = [
    testing.ModelCase(
        name="ebgan",
        make=lambda: EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, embedding_dim=8, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=14866,  # G: 5281; AE: 136 + 2048 + BN 64 + 2056 | 2048 + BN 1024 + 2048 + BN 32 + 129
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
