"""SRGAN (Ledig et al. 2017): the model contract at tiny sizes (SRGAN with either content loss, and SRResNet);
sub-pixel upsampling, the content loss on the Inception's features, the bicubic baseline, learning on real photo
crops, the CLI, and bad input."""
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import data, testing
from kerasgan.layers import PixelShuffle
from kerasgan.zoo import SRGAN
from kerasgan.zoo.srgan import bicubic


def pairs(low_shape, factor, count=8):
    low = testing.images(low_shape, count)
    return low, testing.images((low_shape[0] * factor, low_shape[1] * factor, low_shape[2]), count, seed=1)


CASES = [
    testing.ModelCase(
        name="srgan_mse",
        make=lambda: SRGAN(input_shape=(4, 4, 3), filters=4, residual_blocks=1, content="mse", bilinear_skip=True, seed=1),
        batch=lambda: pairs((4, 4, 3), 4),
        # G 3631: conv 9x9 976 + PReLU 4, block 328 (no bias before BN), conv + BN 160, two (conv to 16 channels 592,
        # PReLU 4), conv 9x9 975; D 21041: conv 112, seven strided blocks 4-8-8-16-16-32-32 with BN (18,752), dense 64
        # 2,112, logit 65; the bilinear skip has none
        params=24672,
        updates=testing.ONE_EACH,
        resume_with_xla=True,  # TF's graph executor logged other roundings of the resumed epoch on a loaded machine
    ),
    testing.ModelCase(
        name="srgan_inception",
        make=lambda: SRGAN(input_shape=(4, 4, 3), filters=4, residual_blocks=1, seed=1),
        batch=lambda: pairs((4, 4, 3), 4),
        params=24672,  # the frozen content network is not the model's
        updates=testing.ONE_EACH,
        resume_with_xla=True,  # the Inception's convolutions in TF's graph executor logged other roundings on a rerun
    ),
    testing.ModelCase(
        name="srresnet_x2_grey",
        make=lambda: SRGAN(input_shape=(4, 4, 1), upscale_factor=2, filters=2, residual_blocks=1, content="mse",
                           adversarial_weight=0.0, seed=1),
        batch=lambda: pairs((4, 4, 1), 2),
        params=6018,  # G 617, D 5,401 (never updated)
        updates={"generator_optimizer": ("generator", 1)},
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


def test_pixel_shuffle_lays_each_pixels_channel_groups_out_as_a_block():
    x = np.arange(2 * 3 * 3 * 8, dtype="float32").reshape(2, 3, 3, 8)
    shuffled = PixelShuffle(2)(x).numpy()
    assert shuffled.shape == (2, 6, 6, 2)
    np.testing.assert_array_equal(shuffled[1, 2:4, 4:6, 1], x[1, 1, 2, [1, 3, 5, 7]].reshape(2, 2))
    assert PixelShuffle.from_config(PixelShuffle(4).get_config()).factor == 4


def test_content_losses_compare_pixels_or_the_inceptions_first_features():
    high = testing.images((16, 16, 3), 2)
    upscaled = np.clip(high + 0.1, -1, 1)
    pixels = SRGAN(input_shape=(4, 4, 3), filters=4, residual_blocks=1, content="mse")
    assert float(pixels.content_loss(high, upscaled)) == pytest.approx(np.mean((upscaled - high) ** 2), rel=1e-5)
    model = SRGAN(input_shape=(4, 4, 3), filters=4, residual_blocks=1)
    assert model.content_network.output.shape[-1] == 64 and not model.content_network.trainable_weights
    features = model.content_network(np.concatenate([high, upscaled])).numpy()
    assert float(model.content_loss(high, upscaled)) == pytest.approx(np.mean((features[2:] - features[:2]) ** 2), rel=1e-5)
    assert float(model.content_loss(high, high)) == 0.0


def test_bicubic_baseline_keeps_a_flat_image_flat():
    flat = np.full((1, 4, 4, 3), 0.25, "float32")
    np.testing.assert_allclose(bicubic(flat, 4), np.full((1, 16, 16, 3), 0.25), atol=1e-6)


def test_srresnet_learns_to_upscale_held_out_photo_crops():
    train = data.load("super_resolution", paired=True, image_size=32, batch_size=16, split="train", seed=0)
    model = SRGAN(input_shape=(8, 8, 3), filters=16, residual_blocks=2, content="mse", adversarial_weight=0.0, seed=0)
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3))
    low, high = data.examples("super_resolution", "test", 100, paired=True, image_size=32)
    untrained = np.mean((model.upscale(low) - high) ** 2)
    model.fit(train.repeat(), steps_per_epoch=250, epochs=1, verbose=0)
    # beating bicubic takes longer: the quality benchmark measures that
    assert np.mean((model.upscale(low) - high) ** 2) < 0.25 * untrained


def test_the_bilinear_skip_adds_gs_output_to_the_input_upsampled():
    model = SRGAN(input_shape=(4, 4, 3), filters=4, residual_blocks=1, content="mse", bilinear_skip=True, seed=0)
    low = np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 3)).astype("float32")
    last = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.Conv2D)][-1]
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    upsampled = tf.image.resize(low, (16, 16), method="bilinear").numpy()
    np.testing.assert_allclose(model.upscale(low), np.clip(upsampled, -1, 1), atol=1e-6)
    last.set_weights([np.zeros_like(last.get_weights()[0]), np.full(3, 0.5, "float32")])  # + 0.5, clipped at 1
    np.testing.assert_allclose(model.upscale(low), np.clip(upsampled + 0.5, -1, 1), atol=1e-6)
    assert SRGAN.from_config(model.get_config()).bilinear_skip is True


def test_super_resolution_pairs_are_bicubic_shrinks_of_crops_from_other_photos_per_split():
    low, high = data.examples("super_resolution", "test", 4, paired=True)
    assert low.shape == (4, 16, 16, 3) and high.shape == (4, 64, 64, 3)
    shrunk = tf.image.resize((high + 1) / 2, (16, 16), method="bicubic", antialias=True).numpy().clip(0, 1) * 2 - 1
    np.testing.assert_allclose(low, shrunk, atol=1e-5)
    assert data.examples("super_resolution", "train", 2, paired=True, image_size=32)[1].shape == (2, 32, 32, 3)
    with pytest.raises(ValueError, match="must be a multiple of 4 from 16"):
        data.examples("super_resolution", "test", 2, paired=True, image_size=30)


def test_srgan_rejects_bad_input():
    with pytest.raises(ValueError, match="SRGAN needs input_shape"):
        SRGAN()
    with pytest.raises(ValueError, match="upscale_factor must be a power of 2"):
        SRGAN(input_shape=(4, 4, 3), upscale_factor=3)
    with pytest.raises(ValueError, match="content must be one of inception, mse"):
        SRGAN(input_shape=(4, 4, 3), content="vgg")
    model = SRGAN(input_shape=(4, 4, 3), filters=4, residual_blocks=1, content="mse")
    with pytest.raises(ValueError, match=r"images to upscale 4x must be images of shape \(N, 4, 4, 3\)"):
        model.upscale(np.zeros((2, 8, 8, 3)))


def test_srgan_trains_upscales_and_exports_through_the_cli(tmp_path):
    command = [os.path.join(os.path.dirname(sys.executable), "kerasgan")]
    run, exports = tmp_path / "run", tmp_path / "saved_models"
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        command + ["train", "--model=srgan", "--dataset=super_resolution", "--image_size=32", "--filters=4",
                   "--residual_blocks=1", "--batch_size=64", "--epochs=1", "--steps_per_epoch=3", f"--output_dir={run}",
                   f"--export_dir={exports}"],
        capture_output=True, text=True, timeout=300, env=environment,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(str(run / "model.keras"))
    assert isinstance(model, SRGAN) and (model.input_shape, model.upscale_factor, model.content) == ((8, 8, 3), 4, "inception")
    assert set(json.loads((run / "history.json").read_text())) == {"g_loss", "adversarial_loss", "content_loss", "d_loss"}
    assert os.listdir(exports / "srgan") == ["1"] and (run / "samples.png").stat().st_size > 0
    loaded = tf.saved_model.load(str(exports / "srgan" / "1"))
    upscaled = loaded.signatures["upscale"](images_uint8=tf.zeros((1, 8, 8, 3), tf.uint8))["images_uint8"]
    assert upscaled.shape == (1, 32, 32, 3)
    evaluated = subprocess.run(command + ["evaluate", f"--model_path={run}", "--num_images=8"], capture_output=True,
                               text=True, timeout=300, env=environment)
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    assert "psnr:" in evaluated.stdout and "bicubic_psnr:" in evaluated.stdout and "real data" not in evaluated.stdout
