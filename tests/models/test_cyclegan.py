"""CycleGAN (Zhu et al. 2017): the model contract at tiny sizes."""
import pytest

from kerasgan import callbacks, testing
from kerasgan.zoo import CycleGAN

CASES = [
    testing.ModelCase(
        name="cyclegan",
        make=lambda: CycleGAN(image_shape=(16, 16, 3), filters=4, residual_blocks=1, pool_size=4, seed=1),
        batch=lambda: testing.pairs((16, 16, 3), (16, 16, 3)),
        params=25154,  # 2 ResNet generators 8667; 2 PatchGANs 837; 2 pools of 4 images 3072 + count 1
        updates={
            "generator_optimizer": (("generator_ab", "generator_ba"), 1),
            "discriminator_optimizer": (("discriminator_a", "discriminator_b"), 1),
        },
        callbacks=lambda: [callbacks.LinearDecay(epochs=2, decay_epochs=1)],
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
