"""jit_compile="auto" on the CPU: the faster of XLA and plain graphs, measured at the start of fit."""
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import checkpoints, jit_choice, testing
from kerasgan.zoo import DCGAN, WGAN


@pytest.fixture
def short_measurement(monkeypatch):
    """A measurement of a few steps (the real one times 64 steps of fits of at least 400)."""
    monkeypatch.setattr(jit_choice, "MIN_STEPS", 12)
    monkeypatch.setattr(jit_choice, "WARMUP", 1)
    monkeypatch.setattr(jit_choice, "SETTLE", 1)
    monkeypatch.setattr(jit_choice, "BLOCK", 2)
    monkeypatch.setattr(jit_choice, "ROUNDS", 2)


def tiny_dcgan():
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=0, precision="float32")


def constant_batches():
    return tf.data.Dataset.from_tensors(tf.zeros((8, 16, 16, 1))).repeat()


def test_auto_measures_both_settings_in_fit_and_keeps_the_faster(short_measurement, monkeypatch):
    model = tiny_dcgan()
    model.compile()
    assert model.jit_compile is False and model.get_compile_config()["jit_compile"] == "auto"
    settings = []
    model.fit(constant_batches(), steps_per_epoch=16, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(on_train_batch_begin=lambda *_, **__: settings.append(model.jit_compile))])
    result = model.jit_choice.result
    assert result is not None and result["off_ms"] > 0 and result["on_ms"] > 0
    assert result["jit_compile"] == (result["on_ms"] < result["off_ms"])
    assert model.jit_compile is result["jit_compile"]
    # Per setting, alternating: 1 warm-up step and 2 timed, then 1 settling step and 2 timed; then the faster one.
    assert settings[:12] == [False] * 3 + [True] * 3 + [False] * 3 + [True] * 3
    assert settings[12:] == [result["jit_compile"]] * 4


def test_a_short_fit_keeps_plain_graphs_and_measures_in_a_later_long_one(short_measurement):
    model = tiny_dcgan()
    model.compile()
    model.fit(constant_batches(), steps_per_epoch=4, epochs=2, verbose=0)
    assert model.jit_compile is False and model.jit_choice.result is None
    model.fit(constant_batches(), steps_per_epoch=12, epochs=1, verbose=0)
    assert model.jit_choice.result is not None


def test_an_explicit_setting_or_a_strategy_is_not_measured(short_measurement):
    for setting in (True, False):
        model = tiny_dcgan()
        model.compile(jit_compile=setting)
        model.fit(constant_batches(), steps_per_epoch=12, epochs=1, verbose=0)
        assert model.jit_compile is setting and model.jit_choice is None
    with testing.two_cpu_strategy().scope():
        mirrored = WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, precision="float32")
        mirrored.compile()
    assert mirrored.jit_compile is False and not mirrored.measures_jit


def test_the_measured_model_trains_to_finite_losses(short_measurement):
    model = tiny_dcgan()
    model.compile()
    history = model.fit(constant_batches(), steps_per_epoch=14, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["g_loss"]))


def test_a_run_resumed_inside_an_epoch_measures_after_the_batches_it_skips(short_measurement, tmp_path):
    # The measurement swaps the train function; the batches a resumed run skips must still train on nothing.
    full, cut = tmp_path / "full", tmp_path / "cut"
    def epochs():
        return checkpoints.stream(tf.data.Dataset.from_tensors(tf.zeros((8, 16, 16, 1))).repeat(12))

    dataset, steps = epochs()
    model = tiny_dcgan()
    model.compile()
    written = checkpoints.Checkpoints(str(full), every=9, keep=5, verbose=0)
    model.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=[written])
    shutil.copytree(full / f"step-{9:09d}", cut / f"step-{9:09d}")  # epoch 0, batch 9
    resumed = tiny_dcgan()
    resumed.compile()
    dataset, steps = epochs()
    restored = checkpoints.Checkpoints(str(cut), every=9, keep=5, verbose=0)
    resumed.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=[restored])
    assert restored.restored == str(cut / f"step-{9:09d}")
    assert resumed.jit_choice.result is not None
    for optimizer in (resumed.generator_optimizer, resumed.discriminator_optimizer):
        assert int(optimizer.iterations) == 2 * steps  # 9 restored, 15 trained: none of the 9 skipped batches
