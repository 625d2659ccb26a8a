"""Pix2Pix (Isola et al. 2017): the model contract at tiny sizes."""
import pytest

from kerasgan import testing
from kerasgan.zoo import Pix2Pix

CASES = [
    testing.ModelCase(
        name="pix2pix",
        make=lambda: Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1),
        batch=lambda: testing.pairs((16, 16, 1), (16, 16, 3)),
        params=25692,  # U-Net of depth 4: 24759; conditional PatchGAN with 1 stride-2 block: 933
        updates=testing.ONE_EACH,
        make_deterministic=lambda: Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, dropout=0.0, seed=1),
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
