"""Context encoder (Pathak et al. 2016): the model contract at tiny sizes; the completion keeps the known pixels, the
losses are the masked L2 and the GAN loss, the masks are where they should be, it learns to fill holes on real digits
better than mean-fill, and bad input gets one line."""
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import data, masks, testing
from kerasgan.metrics import inpainting
from kerasgan.zoo import ContextEncoder

CASES = [
    testing.ModelCase(
        name="context_encoder",
        make=lambda: ContextEncoder(image_shape=(16, 16, 1), filters=4, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        # F 3541: convs 132 + 512 + BN 32, channel-wise dense 8 * 16^2 + bias 128, 1x1 64 + BN 32, up 512 + BN 16,
        # out 65; D (DCGAN's) 741
        params=4282,
        updates=testing.ONE_EACH,
    ),
    testing.ModelCase(
        name="context_encoder_random_l2",
        make=lambda: ContextEncoder(image_shape=(8, 8, 3), filters=2, mask="random", adversarial_weight=0.0, seed=1),
        batch=lambda: testing.images((8, 8, 3)),
        params=916,  # F 785 (one halving: a 4x4 map of 2 channels, channel-wise dense 512 + 32); D 131, never updated
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


def tiny(**kwargs):
    return ContextEncoder(image_shape=(16, 16, 1), filters=4, seed=0, **kwargs)


def test_the_completion_keeps_every_known_pixel_and_fills_the_hole():
    model = tiny()
    real = testing.images((16, 16, 1), count=4)
    hole = np.zeros((4, 16, 16), "float32")
    hole[:, 2:9, 3:7] = 1
    completed = model.inpaint(real, hole)
    np.testing.assert_array_equal(completed[hole == 0], real[hole == 0])
    filled = model.generator([real * (1 - hole[..., None]), hole[..., None]], training=False).numpy()
    np.testing.assert_allclose(completed[hole == 1], filled[hole == 1], atol=1e-6)
    one_mask = model.inpaint(real, hole[0])  # one (H, W) mask for every image
    np.testing.assert_allclose(one_mask, completed, atol=1e-6)
    np.testing.assert_array_equal(model.masks_for(2), np.asarray(masks.center(2, 16, 16)))


def test_the_losses_are_the_hole_mse_and_the_gan_loss_of_the_completion():
    model = tiny()
    model.compile()
    real = testing.images((16, 16, 1), count=4, seed=3)
    logs = model.evaluate(real, batch_size=4, verbose=0, return_dict=True)
    hole = model.masks_for(4)
    filled = model.generator([real * (1 - hole), hole], training=False).numpy()
    expected = np.mean(np.sum(hole * (filled - real) ** 2, axis=(1, 2, 3)) / hole.sum(axis=(1, 2, 3)))
    completed = hole * filled + (1 - hole) * real
    adversarial = np.mean(np.logaddexp(0, -model.discriminator(completed, training=False).numpy()))  # -log sigmoid
    assert logs["reconstruction_loss"] == pytest.approx(expected, rel=1e-4)
    assert logs["adversarial_loss"] == pytest.approx(adversarial, rel=1e-4)
    assert logs["g_loss"] == pytest.approx(0.999 * expected + 0.001 * adversarial, rel=1e-4)
    assert (float(model.generator_optimizer.learning_rate), float(model.discriminator_optimizer.learning_rate)) == (
        pytest.approx(2e-3), pytest.approx(2e-4))


def test_masks_are_the_centre_square_or_one_rectangle_inside_the_image():
    centre = np.asarray(masks.center(1, 28, 28))[0, ..., 0]
    rows, columns = np.nonzero(centre)
    assert (rows.min(), rows.max(), columns.min(), columns.max()) == (7, 20, 7, 20)
    uniform = np.random.default_rng(0).uniform(size=(500, 4))
    drawn = np.asarray(masks.random(uniform, 28, 32))[..., 0]
    heights, widths = drawn.max(axis=2).sum(axis=1), drawn.max(axis=1).sum(axis=1)
    assert np.all(drawn.sum(axis=(1, 2)) == heights * widths)  # one filled rectangle each
    assert heights.min() == 7 and heights.max() == 13 and widths.min() == 8 and widths.max() == 15
    assert drawn[:, 0].any() and drawn[:, -1].any() and drawn[:, :, 0].any() and drawn[:, :, -1].any()  # reach every edge


def test_hole_scores_and_the_mean_fill_baseline():
    real = testing.images((8, 8, 1), count=2)
    hole = np.zeros((2, 8, 8, 1), "float32")
    hole[:, 2:4, 2:6] = 1
    assert inpainting.hole_l1(real, real, hole) == 0 and inpainting.hole_psnr(real, real, hole) == np.inf
    off = real + 0.2 * hole  # 0.1 in [0, 1] pixels, in the hole only
    assert inpainting.hole_l1(off, real, hole) == pytest.approx(0.1)
    assert inpainting.hole_psnr(off, real, hole) == pytest.approx(20.0)
    filled = inpainting.mean_fill(real, hole)
    np.testing.assert_allclose(filled[0, 3, 3, 0], real[0][hole[0] == 0].mean(), rtol=1e-5)
    np.testing.assert_array_equal(filled[hole == 0], real[hole == 0])


def test_it_learns_to_fill_holes_of_real_digits_better_than_the_mean():
    train = data.load("digits", image_size=16, batch_size=64, split="train", seed=0)
    model = tiny(adversarial_weight=0.0)
    model.compile()
    model.fit(train.repeat(), steps_per_epoch=150, epochs=1, verbose=0)
    scores = model.scores("digits", num_images=200)
    assert scores["hole_l1"] < 0.8 * scores["mean_fill_hole_l1"], scores
    assert scores["hole_psnr"] > scores["mean_fill_hole_psnr"] + 1.0, scores


def test_context_encoder_rejects_bad_input():
    with pytest.raises(ValueError, match="ContextEncoder needs image_shape"):
        ContextEncoder()
    with pytest.raises(ValueError, match="mask must be one of center, random, got 'ring'"):
        tiny(mask="ring")
    with pytest.raises(ValueError, match="adversarial_weight must be >= 0"):
        tiny(adversarial_weight=-1.0)
    model = tiny()
    real = testing.images((16, 16, 1), count=2)
    with pytest.raises(ValueError, match=r"masks must have shape \(2, 16, 16\), .* got \(2, 8, 8\)"):
        model.inpaint(real, np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="masks must hold only 0 .* and 1"):
        model.inpaint(real, np.full((16, 16), 0.5))
    with pytest.raises(ValueError, match=r"images must be images of shape \(N, 16, 16, 1\)"):
        model.inpaint(np.zeros((2, 16, 16, 3)))


def test_signatures_take_images_and_masks(tmp_path):
    from kerasgan import export

    model = tiny()
    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "context_encoder")))
    real = testing.images((16, 16, 1), count=2)
    hole = model.masks_for(2)
    uint8 = np.round((real + 1) * 127.5).astype("uint8")
    out = loaded.signatures["inpaint"](images_uint8=tf.constant(uint8), masks_uint8=tf.constant(hole.astype("uint8")))
    out = out["images_uint8"].numpy()
    np.testing.assert_array_equal(out[hole[..., 0] == 0], uint8[hole[..., 0] == 0])


def test_context_encoder_trains_inpaints_and_exports_through_the_cli(tmp_path):
    command = [os.path.join(os.path.dirname(sys.executable), "kerasgan")]
    run, exports = tmp_path / "run", tmp_path / "saved_models"
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        command + ["train", "--model=context_encoder", "--dataset=digits", "--split=all", "--image_size=16", "--filters=4",
                   "--batch_size=64", "--epochs=1", "--mask=random", f"--output_dir={run}", f"--export_dir={exports}"],
        capture_output=True, text=True, timeout=300, env=environment,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(str(run / "model.keras"))
    assert isinstance(model, ContextEncoder) and (model.mask, model.image_shape) == ("random", (16, 16, 1))
    assert set(json.loads((run / "history.json").read_text())) == {"g_loss", "adversarial_loss", "reconstruction_loss", "d_loss"}
    assert os.listdir(exports / "context_encoder") == ["1"] and (run / "samples.png").stat().st_size > 0
    evaluated = subprocess.run(
        command + ["evaluate", f"--model_path={run}", "--dataset=digits", "--num_images=50"],
        capture_output=True, text=True, timeout=300, env=environment,
    )
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    assert "hole_psnr" in evaluated.stdout and "mean_fill_hole_psnr" in evaluated.stdout
