"""`kerasgan train` over long runs: killed with SIGKILL mid-epoch and run again, it resumes and ends as an
uninterrupted run; diverging, it stops with one line naming the step and keeps the last good checkpoint."""
import os
import re
import signal
import subprocess
import sys
import time

import keras
import numpy as np
from test_cli import KERASGAN, TINY, kerasgan

# 28 steps per epoch (1,797 digits, batch 64); a checkpoint every 5 steps and at each epoch end.
RUN = ["train", "--model=dcgan", *TINY, "--epochs=6", "--checkpoint_every=5", "--deterministic", "--sample_every=100"]
STEPS = 6 * 28


def _steps_checkpointed(run):
    folder = run / "checkpoints"
    return sorted(int(name[5:]) for name in os.listdir(folder) if re.fullmatch(r"step-\d+", name)) if folder.is_dir() else []


def _kill_after(run, step, export_dir):
    """Starts the run and SIGKILLs it as soon as a checkpoint of `step` or later exists; returns the newest step then."""
    command = [KERASGAN] if os.path.exists(KERASGAN) else [sys.executable, "-m", "kerasgan.cli"]
    process = subprocess.Popen(
        command + RUN + [f"--output_dir={run}", f"--export_dir={export_dir}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    deadline = time.time() + 240
    while time.time() < deadline and not any(s >= step for s in _steps_checkpointed(run)):
        assert process.poll() is None, "the run ended before it could be killed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return max(_steps_checkpointed(run))


def test_a_run_killed_mid_epoch_resumes_from_its_last_checkpoint_and_ends_as_an_uninterrupted_one(tmp_path):
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    newest = _kill_after(killed, 70, tmp_path / "saved_models")
    assert not (killed / "model.keras").exists()

    resumed = kerasgan(*RUN, f"--output_dir={killed}", f"--export_dir={tmp_path / 'saved_models'}")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    epoch, batch = divmod(newest, 28)
    newest_folder = killed / "checkpoints" / f"step-{newest:09d}"
    assert f"Resuming from {newest_folder}: step {newest}, epoch {epoch + 1}, batch {batch}" in resumed.stdout
    assert "XLA:         off (--deterministic)" in resumed.stdout  # not a choice measured anew on resuming

    uninterrupted = kerasgan(*RUN, f"--output_dir={whole}", f"--export_dir={tmp_path / 'saved_models'}")
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-3000:]
    assert "Resuming" not in uninterrupted.stdout
    first, second = (keras.models.load_model(run / "model.keras") for run in (killed, whole))
    for optimizer in ("generator_optimizer", "discriminator_optimizer"):
        assert int(getattr(first, optimizer).iterations) == int(getattr(second, optimizer).iterations) == STEPS
    for expected, actual in zip(second.get_weights(), first.get_weights(), strict=True):
        np.testing.assert_array_equal(actual, expected)
    history = (killed / "history.json").read_text()
    assert history == (whole / "history.json").read_text()  # every epoch's logs, the killed epochs' included


def test_a_diverging_run_stops_with_one_line_and_keeps_only_good_checkpoints(tmp_path):
    run = tmp_path / "run"
    result = kerasgan("train", "--model=dcgan", *TINY, "--epochs=3", "--checkpoint_every=1",
                      "--discriminator_learning_rate=1e8", "--generator_learning_rate=1e8", f"--output_dir={run}",
                      f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 1, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"kerasgan: training diverged at step (\d+) \(epoch 1, batch \1\): .*not finite.*\. The last good checkpoint is "
        + re.escape(str(run / "checkpoints")) + r"/step-0*(\d+); nothing else was saved\. Resume from it with lower learning rates .*", last
    ), last
    diverged, kept = map(int, re.search(r"step (\d+) .*step-0*(\d+);", last).groups())
    assert kept == diverged - 1 and _steps_checkpointed(run)[-1] == kept
    assert "Traceback" not in result.stderr
    assert not (run / "model.keras").exists() and not (tmp_path / "saved_models").exists()
