"""Adding a model as docs/add_a_model.md says: one model class, one test file, one recipe, no edit to kerasgan.

The class below stands in for the model file: RSGAN, the relativistic standard GAN
(Jolicoeur-Martineau 2018, arXiv:1807.00734, equations 8 and 9), a DCGAN whose critic judges
whether real data is more realistic than fake data. It passes the model contract and trains
through `kerasgan train --model=test_add_a_model:RSGAN` from a recipe.
"""
import json
import os
import subprocess
import sys

import keras
import pytest
from keras import ops

from kerasgan import testing
from kerasgan.networks import dcgan as networks
from kerasgan.zoo import DCGAN

HERE = os.path.dirname(os.path.abspath(__file__))


def relativistic_discriminator_loss(real_logits, fake_logits):
    """-log sigmoid(C(x_r) - C(x_f)) per example (equation 8)."""
    return ops.softplus(-(real_logits - fake_logits))


@keras.saving.register_keras_serializable(package="kerasgan_tests")
class RSGAN(DCGAN):
    """Relativistic standard GAN on DCGAN's networks (Jolicoeur-Martineau 2018, arXiv:1807.00734).

    The critic's last layer has no bias: it cancels in C(x_r) - C(x_f).

    Args:
        image_shape: (height, width, channels) of the images.
        filters: filters of the critic's first convolution.
        discriminator: a critic of one's own.
        **kwargs: DCGAN's other arguments (latent_dim, generator, ...) and the GAN options.
    """

    unsupported_options = ("label_smoothing", "unrolled_steps")

    def __init__(self, image_shape=None, filters=64, discriminator=None, **kwargs):
        if discriminator is None and image_shape is not None:
            discriminator = networks.build_discriminator(tuple(image_shape), filters, "batch", logit_bias=False)
        super().__init__(image_shape=image_shape, filters=filters, discriminator=discriminator, **kwargs)
        self.discriminator_loss = relativistic_discriminator_loss

    def generator_loss_of(self, real, fake, conditions):
        """-log sigmoid(C(x_f) - C(x_r)) (equation 9): G needs the critic's view of the real batch too."""
        return ops.mean(ops.softplus(-(self.discriminate(fake, conditions) - self.discriminate(real, conditions))))


CASE = testing.ModelCase(
    name="rsgan",
    make=lambda: RSGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1),
    batch=lambda: testing.images((16, 16, 1)),
    params=7785,  # DCGAN's networks at these sizes, without the critic's logit bias
    updates=testing.ONE_EACH,
)


def test_contract(tmp_path):
    testing.check_contract(CASE, tmp_path)


RECIPE = """--model=test_add_a_model:RSGAN
--dataset=digits
--split=all
--image_size=16
--filters=8
--latent_dim=8
--batch_size=64
--epochs=2
--seed=0
"""


def test_a_model_of_ones_own_trains_through_the_cli_from_a_recipe(tmp_path):
    recipe = tmp_path / "rsgan_digits.flags"
    recipe.write_text(RECIPE)
    command = [os.path.join(os.path.dirname(sys.executable), "kerasgan"), "train", f"--flagfile={recipe}",
               f"--output_dir={tmp_path / 'run'}", f"--export_dir={tmp_path / 'saved_models'}"]
    environment = {**os.environ, "PYTHONPATH": HERE, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr[-3000:]
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["d_loss"]) == 2 and len(history["g_loss"]) == 2
    assert os.listdir(tmp_path / "saved_models" / "rsgan") == ["1"]
    sample = [command[0], "sample", "--model=test_add_a_model:RSGAN", f"--model_path={tmp_path / 'run' / 'model.keras'}",
              f"--output={tmp_path / 'grid.png'}"]
    result = subprocess.run(sample, capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "grid.png").stat().st_size > 0


@pytest.mark.parametrize("flag", ["--margin=2", "--label_smoothing=0.1"])
def test_flags_the_model_does_not_take_are_refused(flag, tmp_path):
    command = [os.path.join(os.path.dirname(sys.executable), "kerasgan"), "train", "--model=test_add_a_model:RSGAN",
               "--dataset=digits", flag, f"--output_dir={tmp_path / 'run'}"]
    environment = {**os.environ, "PYTHONPATH": HERE, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-3000:]
