"""Checkpoints: the whole training state, atomic writes, the last K kept, unusable ones passed over, exact resume."""
import json
import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import checkpoints, testing
from kerasgan.zoo import DCGAN, GAN


def _state(model):
    return testing.training_state(model)


def _tiny_gan():
    model = GAN(data_dim=2, latent_dim=2, units=8, depth=1, seed=1)
    model.compile()
    return model


def _points(count=16):
    return np.random.default_rng(0).normal(size=(count, 2)).astype("float32")


def test_a_checkpoint_holds_the_step_the_epoch_and_a_checksum(tmp_path):
    model = _tiny_gan()
    dataset, steps = checkpoints.stream(tf.data.Dataset.from_tensor_slices(_points()).batch(4))
    model.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=[checkpoints.Checkpoints(str(tmp_path), every=3, keep=2)])
    assert sorted(os.listdir(tmp_path)) == ["step-000000006", "step-000000008"]  # 3, 6 and 8 (the end) were written; 2 kept
    state = json.loads((tmp_path / "step-000000006" / "state.json").read_text())
    assert (state["global_step"], state["epoch"], state["batch"], state["model"]) == (6, 1, 2, "GAN")
    assert len(state["seed_states"]) == 1 and len(state["history"]) == 1
    final = json.loads((tmp_path / "step-000000008" / "state.json").read_text())
    assert (final["epoch"], final["batch"], len(final["history"])) == (2, 0, 2)


def test_an_unusable_newest_checkpoint_is_passed_over_with_a_warning_naming_it(tmp_path):
    model = _tiny_gan()
    dataset, steps = checkpoints.stream(tf.data.Dataset.from_tensor_slices(_points()).batch(4))
    model.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=[checkpoints.Checkpoints(str(tmp_path), every=2, keep=3)])
    newest = tmp_path / "step-000000008" / "model.weights.h5"
    newest.write_bytes(newest.read_bytes()[:100])  # truncated
    with pytest.warns(checkpoints.UnusableCheckpoint, match=f"{newest} does not match the checksum"):
        folder, state = checkpoints.latest(str(tmp_path))
    assert folder == str(tmp_path / "step-000000006") and state["global_step"] == 6
    assert (tmp_path / "step-000000008.unusable").is_dir()  # kept for inspection, out of the way
    (tmp_path / "step-000000006" / "state.json").write_text("{not json")
    with pytest.warns(checkpoints.UnusableCheckpoint, match="state.json is unreadable"):
        folder, _ = checkpoints.latest(str(tmp_path))
    assert folder == str(tmp_path / "step-000000004")


def test_a_half_written_checkpoint_is_never_seen_and_is_cleared_on_the_next_run(tmp_path):
    staging = tmp_path / f"{checkpoints.STAGING_PREFIX}abc"
    staging.mkdir()
    (staging / "model.weights.h5").write_bytes(b"partial")
    assert checkpoints.latest(str(tmp_path)) is None
    model = _tiny_gan()
    dataset, steps = checkpoints.stream(tf.data.Dataset.from_tensor_slices(_points()).batch(8))
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[checkpoints.Checkpoints(str(tmp_path))])
    assert sorted(os.listdir(tmp_path)) == ["step-000000002"]


def test_a_write_that_fails_leaves_no_checkpoint(tmp_path, monkeypatch):
    model = _tiny_gan()

    def failing_save(path):
        open(path, "wb").write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save_weights", failing_save)
    with pytest.raises(OSError, match="disk full"):
        checkpoints.write(model, str(tmp_path), 5, 0, 5)
    assert os.listdir(tmp_path) == []


def test_no_checkpoint_is_written_of_a_state_that_is_not_finite(tmp_path):
    model = _tiny_gan()

    class Poison(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                variable = self.model.generator.trainable_variables[0]
                variable.assign(np.full(variable.shape, np.nan, "float32"))

    dataset, steps = checkpoints.stream(tf.data.Dataset.from_tensor_slices(_points()).batch(4))
    saver = checkpoints.Checkpoints(str(tmp_path), every=2)
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[Poison(), saver])
    assert sorted(os.listdir(tmp_path)) == ["step-000000002"]  # not step 4: the last good state stays the newest
    assert not checkpoints.all_finite(model)


def test_restoring_into_another_model_says_what_to_do(tmp_path):
    model = _tiny_gan()
    folder = checkpoints.write(model, str(tmp_path), 1, 0, 1)
    _, state = checkpoints.latest(str(tmp_path))
    other = DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4)
    other.compile()
    with pytest.raises(ValueError, match="is a checkpoint of a GAN, not of a DCGAN: resume with the command"):
        checkpoints.restore(other, folder, state)
    wider = GAN(data_dim=2, latent_dim=2, units=16, depth=1)
    wider.compile()
    with pytest.raises(ValueError, match="does not fit this GAN .*resume with the settings that started the run"):
        checkpoints.restore(wider, folder, state)


def test_stream_counts_batches_of_a_dataset_of_unknown_size():
    points = tf.data.Dataset.from_tensor_slices(_points()).filter(lambda point: True).batch(4)
    dataset, steps = checkpoints.stream(points)
    assert steps == 4 and len(list(dataset.take(9))) == 9
    with pytest.raises(ValueError, match="repeats without end"):
        checkpoints.stream(points.repeat())


@pytest.mark.parametrize("arguments, message", [
    (dict(every=0), "every must be a positive integer"),
    (dict(keep=-1), "keep must be a positive integer"),
])
def test_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        checkpoints.Checkpoints(str(tmp_path), **arguments)
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="is a file: name a folder"):
        checkpoints.Checkpoints(str(tmp_path / "file"))


def test_a_run_under_mirrored_strategy_restores_its_whole_state_and_continues(tmp_path):
    """Restored under the strategy, the state is the checkpoint's exactly; a mid-epoch resume trains the
    remaining steps. (Two uninterrupted mirrored runs already differ in the last bits here, so the
    resumed one is not compared with an uninterrupted one, as it is on one device above.)"""
    strategy = testing.two_cpu_strategy()
    points = tf.data.Dataset.from_tensor_slices(_points()).shuffle(16, seed=0).batch(4)

    def fit(directory, epochs=2):
        with strategy.scope():
            model = _tiny_gan()
        dataset, steps = checkpoints.stream(points)
        saver = checkpoints.Checkpoints(str(directory), every=3, keep=10, verbose=0)
        model.fit(dataset, steps_per_epoch=steps, epochs=epochs, verbose=0, callbacks=[saver])
        return model, saver

    whole, _ = fit(tmp_path / "whole")
    shutil.copytree(tmp_path / "whole" / "step-000000008", tmp_path / "end" / "step-000000008")
    restored, saver = fit(tmp_path / "end")  # nothing left to train: the state is the restored one
    assert saver.restored.endswith("step-000000008")
    for expected, actual in zip(_state(whole), _state(restored), strict=True):
        np.testing.assert_array_equal(actual, expected)
    shutil.copytree(tmp_path / "whole" / "step-000000006", tmp_path / "cut" / "step-000000006")
    resumed, saver = fit(tmp_path / "cut")
    assert saver.restored.endswith("step-000000006") and int(keras.ops.convert_to_numpy(resumed.generator_optimizer.iterations)) == 8
    assert sorted(os.listdir(tmp_path / "cut")) == ["step-000000006", "step-000000008"]
