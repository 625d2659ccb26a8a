"""The soak test: DCGAN trained for about half an hour through `kerasgan train`, SIGKILLed every few minutes
and started again with the same command, until it finishes; then its SavedModel is loaded and run.

    python bench/soak.py                        # make bench-soak: 30 minutes
    python bench/soak.py --minutes=5 --kill_every=60

The run is zoo/dcgan_digits.flags at batch 8 (224 steps per epoch, so that most kills land inside an
epoch) with a checkpoint every 100 steps. A calibration minute measures the step rate and sets
--epochs so that the run itself lasts about `--minutes`. Each kill is recorded with the step the
run had reached (read from Keras' progress bar in its log, which trails the true step by up to
its 0.05 s refresh interval, a step or two) and the step the next attempt resumed from (its
"Resuming from" line); steps lost = reached - resumed, which must stay below the checkpoint interval.
Writes bench/results/soak.json and the "## Soak test" section of BENCHMARKS.md.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

from absl import app, flags

FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench.sections import replace_section  # noqa: E402

BEGIN, END = "<!-- soak:begin (written by bench/soak.py) -->", "<!-- soak:end -->"
flags.DEFINE_float("minutes", 30, "How long the run trains, kills and restarts included (about).")
flags.DEFINE_float("kill_every", 180, "Mean seconds between kills (each wait uniform in [0.5, 1.5] times this).")
flags.DEFINE_integer("checkpoint_every", 100, "--checkpoint_every of the run.")
flags.DEFINE_integer("batch_size", 8, "--batch_size of the run.")
flags.DEFINE_integer("seed", 0, "Seed of the kill times and of the run.")
flags.DEFINE_string("run_dir", os.path.join(ROOT, "runs", "soak"), "Where the run and its logs go (emptied first).")
flags.DEFINE_string("results", os.path.join(ROOT, "bench", "results", "soak.json"), "The measured figures.")
flags.DEFINE_string("markdown", os.path.join(ROOT, "BENCHMARKS.md"), "The file whose Soak test section is written ('': none).")


def _command(run, epochs):
    kerasgan = os.path.join(os.path.dirname(sys.executable), "kerasgan")
    return [
        kerasgan, "train", f"--flagfile={os.path.join(ROOT, 'zoo', 'dcgan_digits.flags')}",
        f"--batch_size={FLAGS.batch_size}", f"--epochs={epochs}", f"--checkpoint_every={FLAGS.checkpoint_every}",
        f"--seed={FLAGS.seed}", f"--output_dir={os.path.join(run, 'run')}", f"--export_dir={os.path.join(run, 'saved_models')}",
    ]


def _start(command, log):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)


def _reached(log, steps_per_epoch):
    """The last step the log's progress bar shows: (epoch - 1) * steps per epoch + the batch count."""
    text = open(log, errors="replace").read()
    epochs = list(re.finditer(r"Epoch (\d+)/\d+", text))
    if not epochs:
        return None
    counts = re.findall(rf"(\d+)/{steps_per_epoch}(?!\d)", text[epochs[-1].end():])
    return (int(epochs[-1].group(1)) - 1) * steps_per_epoch + (int(counts[-1]) if counts else 0)


def _resumed_from(log):
    match = re.search(r"Resuming from \S+: step (\d+)", open(log, errors="replace").read())
    return int(match.group(1)) if match else 0


def _calibrate(steps_per_epoch):
    """Steps per second of the run on this machine, from a minute of it (then killed and deleted)."""
    folder = os.path.join(FLAGS.run_dir, "calibration")
    process = _start(_command(folder, 10_000), os.path.join(FLAGS.run_dir, "calibration.log"))
    time.sleep(20)  # start-up and tracing
    first = _reached(os.path.join(FLAGS.run_dir, "calibration.log"), steps_per_epoch) or 0
    time.sleep(40)
    last = _reached(os.path.join(FLAGS.run_dir, "calibration.log"), steps_per_epoch) or 0
    process.send_signal(signal.SIGKILL)
    process.wait()
    shutil.rmtree(folder, ignore_errors=True)
    return (last - first) / 40


def _check_export(run):
    """Loads the run's SavedModel version and its .keras model, and checks they generate the same images."""
    import keras
    import numpy as np
    import tensorflow as tf

    import kerasgan.zoo  # noqa: F401

    base = os.path.join(run, "saved_models", "dcgan")
    version = os.path.join(base, max(os.listdir(base), key=int))
    serving = tf.saved_model.load(version).signatures["serving_default"]
    model = keras.models.load_model(os.path.join(run, "run", "model.keras"))
    latents = np.random.default_rng(0).normal(size=(4, model.latent_dim)).astype("float32")
    served = next(iter(serving(tf.constant(latents)).values())).numpy()
    difference = float(np.abs(served - model.predict(latents, verbose=0)).max())
    return {"saved_model": version, "outputs": list(served.shape), "max_abs_difference_to_keras": difference}


def main(argv):
    del argv
    rng = random.Random(FLAGS.seed)
    shutil.rmtree(FLAGS.run_dir, ignore_errors=True)
    os.makedirs(FLAGS.run_dir)
    steps_per_epoch = 1797 // FLAGS.batch_size
    rate = _calibrate(steps_per_epoch)
    epochs = max(1, round(rate * FLAGS.minutes * 60 * 0.9 / steps_per_epoch))  # a tenth for restarts and lost steps
    command = _command(FLAGS.run_dir, epochs)
    print(f"{rate:.1f} steps/s: {epochs} epochs of {steps_per_epoch} steps; killing every ~{FLAGS.kill_every:.0f} s")
    start, attempts, kills = time.time(), 0, []
    while not os.path.exists(os.path.join(FLAGS.run_dir, "run", "model.keras")):
        attempts += 1
        log = os.path.join(FLAGS.run_dir, f"attempt_{attempts}.log")
        process = _start(command, log)
        wait = rng.uniform(0.5, 1.5) * FLAGS.kill_every
        if time.time() - start + wait > FLAGS.minutes * 60:
            wait = None  # the soak time is over: let this attempt finish
        try:
            code, killed = process.wait(timeout=wait), False
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            code, killed = process.wait(), True
        if kills and kills[-1]["attempt"] == attempts - 1:  # this attempt resumed the one killed before it
            kills[-1]["resumed_from"] = _resumed_from(log)
            kills[-1]["lost"] = kills[-1]["reached"] - kills[-1]["resumed_from"]
        if killed:
            kills.append({"attempt": attempts, "after_s": round(time.time() - start), "reached": _reached(log, steps_per_epoch)})
            print(f"killed attempt {attempts} at step {kills[-1]['reached']}", flush=True)
        elif code:
            raise SystemExit(f"attempt {attempts} failed with status {code}: see {log}")
    results = {
        "minutes": round((time.time() - start) / 60, 1), "epochs": epochs, "steps": epochs * steps_per_epoch,
        "checkpoint_every": FLAGS.checkpoint_every, "attempts": attempts, "kills": kills,
        "max_lost": max((kill["lost"] for kill in kills), default=0), "export": _check_export(FLAGS.run_dir),
        "command": " ".join(command[1:]).replace(ROOT + "/", ""),
    }
    results["passed"] = results["max_lost"] < FLAGS.checkpoint_every and results["export"]["max_abs_difference_to_keras"] < 1e-4
    os.makedirs(os.path.dirname(FLAGS.results), exist_ok=True)
    with open(FLAGS.results, "w") as handle:
        json.dump(results, handle, indent=1)
    if FLAGS.markdown:
        replace_section(FLAGS.markdown, _section(results), BEGIN, END)
    print(json.dumps(results, indent=1))


def _section(results):
    rows = "\n".join(
        f"| {kill['attempt']} | {kill['after_s']} | {kill['reached']} | {kill['resumed_from']} | {kill['lost']} |"
        for kill in results["kills"]
    )
    export = results["export"]
    return f"""{BEGIN}
## Soak test

`make bench-soak` (`bench/soak.py`): `kerasgan {results['command']}` trained for
{results['minutes']} minutes, SIGKILLed {len(results['kills'])} times and started again with the same
command each time, {results['attempts']} attempts in all, until it finished {results['steps']} steps.

| attempt killed | after (s) | step reached | resumed from | steps lost |
|---|---|---|---|---|
{rows}

Most steps lost: {results['max_lost']}, against a checkpoint every {results['checkpoint_every']} steps
(and at each epoch end); "step reached" is read from the progress bar, which can trail the true step by a
step or two. The final SavedModel ({export['saved_model'].replace(ROOT + '/', '')}) loads and serves
{export['outputs']} images, {_agreement(export['max_abs_difference_to_keras'])} the `.keras` model's.
Verdict: {"passed" if results["passed"] else "FAILED"}.
{END}"""


def _agreement(difference):
    """How the SavedModel's outputs compare with the .keras model's."""
    return "identical to" if difference == 0 else f"within {difference:.1g} of"


if __name__ == "__main__":
    app.run(main)
