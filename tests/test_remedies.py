"""The two seed-document remedies for GAN training failures, unrolled discriminator steps and the discriminator
ensemble, across models: which models take unrolled_steps, and the command line training and evaluating both. Each
remedy's own tests are in tests/models/test_gan.py (unrolling) and tests/models/test_ensemble_gan.py."""
import json

import pytest
from test_cli import kerasgan

from kerasgan.zoo import EBGAN, GAN, Pix2Pix


def test_unrolled_settings_are_checked_and_only_where_the_generator_loss_is_the_base_one():
    with pytest.raises(ValueError, match="unrolled_steps must be an integer >= 0"):
        GAN(unrolled_steps=-1)
    with pytest.raises(ValueError, match="unrolled_learning_rate must be > 0"):
        GAN(unrolled_steps=2, unrolled_learning_rate=0.0)
    with pytest.raises(ValueError, match="EBGAN has its own training step: unrolled_steps does not apply to it"):
        EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, unrolled_steps=2)
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Pix2Pix: {'unrolled_steps': 2}"):
        Pix2Pix(input_shape=(16, 16, 1), filters=4, unrolled_steps=2)
    assert GAN.from_config(GAN(units=8, depth=1, unrolled_steps=3).get_config()).unrolled_steps == 3


def test_the_command_line_trains_both_remedies_and_evaluates_them(tmp_path):
    tiny = ["--dataset=grid25", "--num_samples=512", "--batch_size=256", "--units=8", "--depth=1", "--epochs=1"]
    for model, option in (("ensemble_gan", "--num_discriminators=2"), ("gan", "--unrolled_steps=2")):
        run = tmp_path / model
        result = kerasgan("train", f"--model={model}", option, *tiny, f"--output_dir={run}",
                          f"--export_dir={tmp_path / 'saved_models'}", "--quality_every=1", "--quality_images=300")
        assert result.returncode == 0, result.stderr[-3000:]
        history = json.loads((run / "history.json").read_text())
        assert "quality_modes" in history
        scores = tmp_path / f"{model}.json"
        result = kerasgan("evaluate", f"--model_path={run / 'model.keras'}", "--dataset=grid25", "--num_images=300",
                          f"--output={scores}")
        assert result.returncode == 0, result.stderr[-3000:]
        assert ("profile_1" in json.loads(scores.read_text())) == (model == "ensemble_gan")
    result = kerasgan("train", "--model=gan", "--unrolled_steps=-2", *tiny, f"--output_dir={tmp_path / 'bad'}")
    assert result.returncode == 2 and "unrolled_steps must be an integer >= 0" in result.stderr
    assert "Traceback" not in result.stderr
