"""Pix2Pix and CycleGAN beyond the shared contract: their losses, pools, schedule, pictures and bad input."""
import os

import numpy as np
import keras
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import callbacks, data, export, plots
from kerasgan.zoo import CycleGAN, Pix2Pix


def _images(count, shape, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (count,) + shape).astype("float32")


def _pix2pix(**kwargs):
    return Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1, **kwargs)


def _cyclegan(**kwargs):
    keras.utils.set_random_seed(0)  # the same initial weights for every model built here
    kwargs = {"filters": 4, "residual_blocks": 1, "pool_size": 4, "seed": 1, **kwargs}
    return CycleGAN(image_shape=(16, 16, 3), **kwargs)


def _one_step_logs(model, batch):
    model.compile()
    history = model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
    return {name: values[0] for name, values in history.history.items()}


def test_pix2pix_generator_loss_is_the_cgan_term_plus_weighted_l1():
    logs = _one_step_logs(_pix2pix(l1_weight=7.0), (_images(4, (16, 16, 1), 0), _images(4, (16, 16, 3), 1)))
    assert set(logs) == {"d_loss", "g_loss", "adversarial_loss", "l1_loss"}
    assert logs["g_loss"] == pytest.approx(logs["adversarial_loss"] + 7.0 * logs["l1_loss"], rel=1e-5)
    assert 0.3 < logs["l1_loss"] < 1.5  # |uniform - tanh(~0)| averages about 0.5


def test_pix2pix_learns_a_fixed_mapping_better_than_the_input():
    inputs = _images(16, (16, 16, 1), 0)
    targets = np.repeat(-inputs, 3, axis=-1)  # the negative, as colour
    model = _pix2pix(dropout=0.0)
    model.compile(generator_optimizer=keras.optimizers.Adam(2e-3, 0.5))
    model.fit(tf.data.Dataset.from_tensors((inputs, targets)).repeat(60), epochs=1, verbose=0)
    error = np.mean(np.abs(model.translate(inputs) - targets))
    assert error < 0.5 * np.mean(np.abs(np.repeat(inputs, 3, axis=-1) - targets))


def test_pix2pix_translate_and_validation_metrics():
    model = _pix2pix()
    model.compile()
    outputs = model.translate(_images(3, (16, 16, 1), 0))
    assert outputs.shape == (3, 16, 16, 3) and np.all(np.abs(outputs) <= 1)
    assert model.translate(_images(1, (16, 16, 1), 0)[0]).shape == (1, 16, 16, 3)
    pairs = tf.data.Dataset.from_tensors((_images(4, (16, 16, 1), 0), _images(4, (16, 16, 3), 1)))
    scores = model.evaluate(pairs, verbose=0, return_dict=True)
    assert scores["l1_loss"] > 0 and np.isfinite(scores["d_loss"])


def test_pix2pix_rejects_bad_input():
    model = _pix2pix()
    model.compile()
    single = r"Pix2Pix trains on \(inputs, targets\) batches but the dataset yields float32 \(4, 16, 16, 1\): load pairs"
    with pytest.raises(ValueError, match=single):
        model.fit(tf.data.Dataset.from_tensors(_images(4, (16, 16, 1), 0)), verbose=0)
    mismatched = tf.data.Dataset.from_tensors((_images(4, (16, 16, 1), 0), _images(4, (8, 8, 3), 1)))
    with pytest.raises(ValueError, match=r"the dataset yields targets batches of shape \(4, 8, 8, 3\) but Pix2Pix takes"):
        model.fit(mismatched, verbose=0)
    with pytest.raises(ValueError, match=r"y has targets batches of shape \(None, 8, 8, 3\) but Pix2Pix takes \(None, 16, 16, 3\)"):
        model.fit(_images(4, (16, 16, 1), 0), _images(4, (8, 8, 3), 1), verbose=0)
    with pytest.raises(ValueError, match=r"Pix2Pix trains on \(inputs, targets\): pass fit\(inputs, targets\)"):
        model.fit(_images(4, (16, 16, 1), 0), verbose=0)
    with pytest.raises(ValueError, match=r"inputs must be images of shape \(N, 16, 16, 1\)"):
        model.translate(_images(2, (16, 16, 3), 0))
    with pytest.raises(TypeError, match="use translate"):
        model.generate(4)
    with pytest.raises(ValueError, match=r"U-Net of depth 4 cannot take input_shape \(24, 24, 1\).*use depth <= 3"):
        Pix2Pix(input_shape=(24, 24, 1), depth=4)
    with pytest.raises(ValueError, match="l1_weight must be >= 0"):
        _pix2pix(l1_weight=-1.0)


def test_cyclegan_generator_loss_adds_cycle_and_identity_terms():
    batch = (_images(4, (16, 16, 3), 0), _images(4, (16, 16, 3), 1))
    logs = _one_step_logs(_cyclegan(cycle_weight=3.0, identity_weight=0.5), batch)
    assert set(logs) == {"d_loss", "g_loss", "cycle_loss", "identity_loss"}
    adversarial = logs["g_loss"] - 3.0 * (logs["cycle_loss"] + 0.5 * logs["identity_loss"])
    fresh, (a, b) = _cyclegan(), batch  # the same initial weights as the model that took the step
    expected = np.mean((fresh.discriminator_b(fresh.generator_ab(a)) - 1) ** 2) + np.mean(
        (fresh.discriminator_a(fresh.generator_ba(b)) - 1) ** 2
    )
    assert adversarial == pytest.approx(expected, rel=1e-4)  # Zhu et al.'s E[(D(G(a)) - 1)^2], both ways
    without = _one_step_logs(_cyclegan(cycle_weight=3.0, identity_weight=0.0), batch)
    assert "identity_loss" not in without  # not computed when it is not trained
    assert without["g_loss"] == pytest.approx(logs["g_loss"] - 1.5 * logs["identity_loss"], rel=1e-4)


def test_cyclegan_pools_fill_with_fakes_and_are_saved(tmp_path):
    model = _cyclegan()
    batch = (_images(3, (16, 16, 3), 0), _images(3, (16, 16, 3), 1))
    _one_step_logs(model, batch)
    assert int(model.pool_a.count.numpy()) == 3 and int(model.pool_b.count.numpy()) == 3
    np.testing.assert_allclose(model.pool_b.images.numpy()[:3], model.translate_a_to_b(batch[0]), atol=0.2)
    path = str(tmp_path / "cyclegan.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_array_equal(restored.pool_b.images.numpy(), model.pool_b.images.numpy())
    assert int(restored.pool_a.count.numpy()) == 3


def test_cyclegan_generator_downsamplings_survive_the_config():
    model = _cyclegan(generator_downsamplings=1)
    assert model.generator_ab.get_layer(index=-4).output.shape[1:] == (16, 16, 4)  # back at full size
    assert model.get_config()["generator_downsamplings"] == 1
    restored = CycleGAN.from_config(model.get_config())
    assert restored.generator_downsamplings == 1
    assert restored.generator_ba.count_params() == model.generator_ba.count_params()


def test_cyclegan_translates_both_ways_and_exports_both_directions(tmp_path):
    model = _cyclegan()
    images = _images(2, (16, 16, 3), 0)
    np.testing.assert_allclose(model.translate_a_to_b(images), model.generator_ab(images), atol=1e-6)
    np.testing.assert_allclose(model.translate_b_to_a(images), model.generator_ba(images), atol=1e-6)
    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "saved")))
    assert set(loaded.signatures) == {"serving_default", "b_to_a", "translate_a_to_b", "translate_b_to_a"}
    uint8 = ((images + 1) * 127.5).round().astype("uint8")
    out = loaded.signatures["translate_b_to_a"](images_uint8=tf.constant(uint8))["images_uint8"].numpy()
    expected = np.round((np.clip(model.translate_b_to_a(uint8 / 127.5 - 1), -1, 1) + 1) * 127.5)
    assert np.max(np.abs(out.astype(int) - expected)) <= 1
    path = export.tflite(model, str(tmp_path / "b_to_a.tflite"), signature="b_to_a")
    assert export.tflite_parity(model, path, signature="b_to_a")["max_abs_error"] < 1e-4
    with pytest.raises(ValueError, match="has no signature 'c_to_d'"):
        export.tflite(model, str(tmp_path / "x.tflite"), signature="c_to_d")


def test_cyclegan_rejects_bad_input():
    model = _cyclegan()
    model.compile()
    with pytest.raises(ValueError, match=r"CycleGAN trains on \(images_a, images_b\) batches but the dataset yields float32"):
        model.fit(tf.data.Dataset.from_tensors(_images(4, (16, 16, 3), 0)), verbose=0)
    other_size = tf.data.Dataset.from_tensors((_images(4, (16, 16, 3), 0), _images(4, (8, 8, 3), 1)))
    with pytest.raises(ValueError, match=r"the dataset yields images_b batches of shape \(4, 8, 8, 3\) but CycleGAN takes"):
        model.fit(other_size, verbose=0)
    with pytest.raises(ValueError, match="pool_size must be an integer >= 0"):
        _cyclegan(pool_size=-1)
    with pytest.raises(ValueError, match="needs image_shape"):
        CycleGAN()
    with pytest.raises(TypeError, match="translate_a_to_b"):
        model.generate(2)


def test_linear_decay_keeps_then_decays_the_rate_to_near_zero():
    decay = callbacks.LinearDecay(epochs=4)
    assert [decay.factor(epoch) for epoch in range(4)] == pytest.approx([1.0, 1.0, 2 / 3, 1 / 3])
    model = _cyclegan()
    model.compile()
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(float(model.generator_optimizer.learning_rate))
    )
    batch = (_images(2, (16, 16, 3), 0), _images(2, (16, 16, 3), 1))
    model.fit(tf.data.Dataset.from_tensors(batch), epochs=4, verbose=0, callbacks=[decay, record])
    assert seen == pytest.approx([2e-4, 2e-4, 2e-4 * 2 / 3, 2e-4 / 3])
    assert float(model.discriminator_optimizer.learning_rate) == pytest.approx(2e-4 / 3)
    with pytest.raises(ValueError, match="decay_epochs must be in"):
        callbacks.LinearDecay(epochs=4, decay_epochs=5)


def test_sample_grid_of_a_translator_shows_input_output_target(tmp_path):
    pairs = next(iter(data.load("digits2digits_m", image_size=16, batch_size=3, paired=True, shuffle=False)))
    examples = tuple(part.numpy() for part in pairs)
    model = _pix2pix()
    model.compile()
    grid = callbacks.SampleGrid(str(tmp_path), examples=examples, scale=1)
    grid.set_model(model)
    grid.on_train_begin()
    grid.on_epoch_end(0)
    picture = np.asarray(Image.open(grid.last_path))
    assert picture.shape == (3 * 18 + 2, 3 * 18 + 2, 3)  # 3 rows of input | output | target
    left = picture[2:18, 2:18]
    assert np.all(left[..., 0] == left[..., 1])  # the grey input, shown as RGB
    assert os.path.basename(grid.last_path) == "epoch_0001.png"
    with pytest.raises(ValueError, match="give a batch of examples"):
        plots.picture(model)
