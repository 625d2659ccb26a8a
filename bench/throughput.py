"""Training throughput (docs/protocols.md section 5): images/s of a train step, jit_compile on and off, and peak RSS.

    python bench/throughput.py                              # everything (make bench)
    python bench/throughput.py --configs=dcgan_digits,wgan_gp_reference --steps=15
    python bench/throughput.py --configs=                   # only rewrite BENCHMARKS.md from the JSON

Three parts, each configuration timed in its own subprocess (`--one=<config> --jit=on|off`,
which prints one JSON line) so that its peak RSS is its own:
- zoo models at their recipe's shapes (zoo/<config>.flags, built as `kerasgan train` builds
  them), fed one random batch of the recipe's shapes held in memory;
- the reference configurations (wgan_gp_reference, dcgan_reference): the zoo class given the
  protocol's networks against a hand-written keras.io-style train_step of the same networks
  (bench/reference_steps.py), same weights, same batch, in one process; plus FLOPs per step
  (bench/flops.py) against the CPU's peak;
- dcgan_digits_pipeline: the DCGAN recipe fed by kerasgan.data.load against one cached batch.
Timing: `fit(steps_per_epoch=...)` with a callback taking time.perf_counter() at each
on_train_batch_end; the first --warmup step intervals (tracing, compiling) are dropped and
the median of the rest is the step time. Two models compared in one process run in the order
A B B A, half the timed steps per run. Writes bench/results/throughput.json (rows of earlier
runs of other configurations are kept) and the "## Throughput" section of BENCHMARKS.md.
"""
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import flops
import sections
from absl import app, flags

from kerasgan import cli  # defines the recipe flags (--model, --batch_size, ...) the zoo/*.flags set

FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = [
    "dcgan_digits", "cgan_digits", "wgan_gp_digits", "wgan_clip_digits", "ebgan_digits", "wgan_gp_grid25",
    "pix2pix_colorization", "cyclegan_digits_m", "dann_moons", "dann_digits_m",
]
REFERENCES = ["wgan_gp_reference", "dcgan_reference"]
PIPELINE = "dcgan_digits_pipeline"
CONFIGS = ZOO + REFERENCES + [PIPELINE]
ROW_PREFIX = "THROUGHPUT_ROW "
BEGIN, END = "<!-- throughput:begin (written by bench/throughput.py) -->", "<!-- throughput:end -->"

flags.DEFINE_list("configs", CONFIGS, f"Configurations to time: {', '.join(CONFIGS)}.")
flags.DEFINE_list("jit", ["off", "on"], "jit_compile settings to time each configuration with (off, on).")
flags.DEFINE_integer("steps", 60, "Train steps per model, warm-up included (>= 50 timed steps for the published table).")
flags.DEFINE_integer("warmup", 10, "Step intervals dropped at the start (tracing, XLA compilation).")
flags.DEFINE_string("one", None, "Time this configuration in this process and print one JSON line (used by the parent).")
flags.DEFINE_string("results", os.path.join(ROOT, "bench/results/throughput.json"), "The JSON of all rows.")
flags.DEFINE_string("markdown", os.path.join(ROOT, "BENCHMARKS.md"), "The Markdown file whose Throughput section is rewritten.")
flags.DEFINE_integer(
    "repeats", 3, "Rounds over all configurations; each figure is the median of its rounds (this machine's speed drifts)."
)
flags.DEFINE_integer("timeout", 3600, "Seconds before a configuration's subprocess is stopped.")


# --- timing (in the subprocess) ---------------------------------------------------------------


def _step_times(model, dataset, steps, warmup):
    """Seconds per step of `steps` fit steps on `dataset` after dropping `warmup` intervals; and the first interval."""
    import keras

    class Timer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.times = [time.perf_counter()]

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())

    timer = Timer()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[timer])
    intervals = [b - a for a, b in zip(timer.times, timer.times[1:])]
    return intervals[warmup:], intervals[0]


def _summary(intervals, first, batch_size):
    """Median step time, its spread and images/s of timed `intervals`."""
    import numpy as np

    median = float(np.median(intervals))
    return {
        "median_ms": 1000 * median,
        "p25_ms": 1000 * float(np.percentile(intervals, 25)),
        "p75_ms": 1000 * float(np.percentile(intervals, 75)),
        "timed_steps": len(intervals),
        "images_per_s": batch_size / median,
        "first_step_s": first,
    }


def _time_alone(model, dataset, batch_size):
    """One model's timing summary."""
    intervals, first = _step_times(model, dataset, FLAGS.steps, FLAGS.warmup)
    return _summary(intervals, first, batch_size)


def _time_interleaved(runs, batch_size):
    """Timing summaries of two (name, model, dataset) runs timed in the order A B B A, half the steps each."""
    timed = max(FLAGS.steps - FLAGS.warmup, 2)
    halves = {name: {"intervals": [], "first": None} for name, _, _ in runs}
    order = [(runs[0], FLAGS.warmup, timed - timed // 2), (runs[1], FLAGS.warmup, timed - timed // 2)]
    order += [(runs[1], 2, timed // 2), (runs[0], 2, timed // 2)]  # the second fit of a model only makes an iterator
    for (name, model, dataset), warmup, count in order:
        intervals, first = _step_times(model, dataset, warmup + count, warmup)
        halves[name]["intervals"] += intervals
        halves[name]["first"] = halves[name]["first"] or first
    return {name: _summary(h["intervals"], h["first"], batch_size) for name, h in halves.items()}


def _compile(model, jit):
    """Compiles with the model's defaults and `jit_compile=jit`; returns the setting Keras kept."""
    model.compile(jit_compile=jit)
    return bool(model.jit_compile)


def _random_like(batch):
    """The batch with every float tensor replaced by uniform noise in [-1, 1] (labels kept)."""
    import tensorflow as tf

    def noise(tensor):
        if not tensor.dtype.is_floating:
            return tensor
        return tf.random.stateless_uniform(tensor.shape, seed=(0, 0), minval=-1.0, maxval=1.0, dtype=tensor.dtype)

    return tf.nest.map_structure(noise, batch)


def _shapes(batch):
    """The batch's structure with each tensor written as its shape, e.g. ((32x32x32x3, 32x32x32x3), 32)."""
    import tensorflow as tf

    described = tf.nest.map_structure(lambda tensor: "x".join(map(str, tensor.shape)), batch)
    return str(described).replace("'", "")


def _recipe(config):
    """The recipe's dataset and model, built as `kerasgan train --flagfile=zoo/<config>.flags` builds them."""
    FLAGS([sys.argv[0], f"--flagfile={os.path.join(ROOT, 'zoo', config + '.flags')}"])
    dataset, _, model = cli.model_and_data()
    return dataset, model


UNITS = {
    "gan": "points", "dann": "examples (half source, half target)", "pix2pix": "(input, target) pairs",
    "cyclegan": "(A, B) pairs",
}


def run_zoo(config, jit):
    """A zoo model at its recipe's shapes on one random batch held in memory."""
    import tensorflow as tf

    dataset, model = _recipe(config)
    batch = _random_like(next(iter(dataset)))
    row = {"model": type(model).__name__, "batch_size": FLAGS.batch_size, "unit": UNITS.get(FLAGS.model, "images")}
    row.update(shapes=_shapes(batch), jit_effective=_compile(model, jit))
    row.update(_time_alone(model, tf.data.Dataset.from_tensors(batch).repeat(), FLAGS.batch_size))
    return row


def run_reference(config, jit):
    """kerasgan against the hand-written step on the protocol's networks (same weights, same batch), and FLOPs."""
    import reference_steps as reference
    import tensorflow as tf

    from kerasgan.zoo import DCGAN, WGAN

    settings = reference.WGAN_GP if config == "wgan_gp_reference" else reference.DCGAN
    batch_size = settings["batch_size"]
    batch = tf.random.stateless_uniform((batch_size,) + settings["image_shape"], seed=(0, 0), minval=-1.0, maxval=1.0)
    dataset = tf.data.Dataset.from_tensors(batch).repeat()
    if config == "wgan_gp_reference":
        generator, critic = reference.wgan_gp_networks()
        copies = reference.clone(generator), reference.clone(critic)
        ours = WGAN(generator=generator, critic=critic, critic_steps=settings["critic_steps"], seed=0)
        theirs = reference.HandWrittenWGANGP(*copies, settings["latent_dim"], settings["critic_steps"])
        step_flops = flops.wgan_gp_step_flops(generator, critic, batch_size, settings["critic_steps"])
    else:
        generator, discriminator = reference.dcgan_networks()
        copies = reference.clone(generator), reference.clone(discriminator)
        ours = DCGAN(generator=generator, discriminator=discriminator, seed=0)
        theirs = reference.HandWrittenDCGAN(*copies, settings["latent_dim"])
        step_flops = flops.dcgan_step_flops(generator, discriminator, batch_size)
    row = {"batch_size": batch_size, "unit": "images", "shapes": _shapes(batch), "flops_per_step": step_flops}
    row["jit_effective"] = {"kerasgan": _compile(ours, jit), "hand_written": _compile(theirs, jit)}
    timings = _time_interleaved([("kerasgan", ours, dataset), ("hand_written", theirs, dataset)], batch_size)
    row.update(timings, peak_rss_mib=_peak_rss_mib())
    row["profiler_flops"] = {"kerasgan": flops.profiled_flops(ours, batch), "hand_written": flops.profiled_flops(theirs, batch)}
    return row


def run_pipeline(jit):
    """The DCGAN digits recipe fed by kerasgan.data.load against the same pipeline's first batch cached."""
    from kerasgan import data

    _, model = _recipe("dcgan_digits")
    loaded = data.load("digits", image_size=32, batch_size=FLAGS.batch_size, split="all", shuffle=True, seed=0).repeat()
    cached = loaded.take(1).cache().repeat()
    row = {"model": "DCGAN", "batch_size": FLAGS.batch_size, "unit": "images", "jit_effective": _compile(model, jit)}
    row.update(_time_interleaved([("data_load", model, loaded), ("cached", model, cached)], FLAGS.batch_size))
    return row


def _peak_rss_mib():
    """This process's peak resident set size in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(config, jit):
    """Times `config` with jit "on" or "off" in this process; returns its row (with "error" when it failed)."""
    import keras

    keras.utils.set_random_seed(0)
    row = {"config": config, "jit": jit, "steps": FLAGS.steps, "warmup": FLAGS.warmup}
    start, jit_compile = time.time(), jit == "on"
    try:
        if config in REFERENCES:
            row.update(run_reference(config, jit_compile))
        elif config == PIPELINE:
            row.update(run_pipeline(jit_compile))
        else:
            row.update(run_zoo(config, jit_compile))
    except Exception as error:  # a model that fails under XLA is a result to report
        row["error"] = f"{type(error).__name__}: {error}"[:4000]
    row.setdefault("peak_rss_mib", _peak_rss_mib())
    row["wall_s"] = time.time() - start
    return row


# --- the parent: subprocesses, results and Markdown ---------------------------------------------


def _subprocess_row(config, jit):
    """Runs `--one=config --jit=...` in a fresh Python; returns the row it prints, or an error row."""
    command = [
        sys.executable, os.path.abspath(__file__), f"--one={config}", f"--jit={jit}", f"--steps={FLAGS.steps}",
        f"--warmup={FLAGS.warmup}",
    ]
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=FLAGS.timeout, env=environment, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"config": config, "jit": jit, "error": f"timed out after {FLAGS.timeout} s"}
    for line in done.stdout.splitlines():
        if line.startswith(ROW_PREFIX):
            return json.loads(line[len(ROW_PREFIX):])
    return {"config": config, "jit": jit, "error": f"exit status {done.returncode}: {done.stderr[-3000:]}"}


def _median_row(runs):
    """One row from the rounds of a configuration: each timing the median over rounds (all rounds' images/s kept)."""
    failed = [run for run in runs if "error" in run]
    if failed:
        return failed[0]
    row = dict(runs[len(runs) // 2])
    row["peak_rss_mib"] = max(run["peak_rss_mib"] for run in runs)
    row["rounds"] = len(runs)
    timed = [name for name in ("kerasgan", "hand_written", "data_load", "cached") if name in row] or [None]
    for name in timed:
        parts = [run[name] if name else run for run in runs]
        merged = dict(parts[0]) if name else row
        for key in ("median_ms", "p25_ms", "p75_ms", "first_step_s"):
            merged[key] = float(statistics.median(part[key] for part in parts))
        merged["images_per_s"] = float(statistics.median(part["images_per_s"] for part in parts))
        merged["images_per_s_rounds"] = [part["images_per_s"] for part in parts]
        if name:
            row[name] = merged
    return row


def _versions():
    """TensorFlow, Keras and Python versions, read without importing TensorFlow in the parent."""
    from importlib import metadata

    return {"tensorflow": metadata.version("tensorflow"), "keras": metadata.version("keras"), "python": platform.python_version()}


def _load(path):
    """The machine description and rows (by (config, jit)) of earlier runs; (None, {}) when there are none."""
    if not os.path.exists(path):
        return None, {}
    with open(path) as handle:
        results = json.load(handle)
    return results["machine"], {(row["config"], row["jit"]): row for row in results["rows"]}


# --- BENCHMARKS.md ------------------------------------------------------------------------------

REFERENCE_NAMES = {
    "wgan_gp_reference": "WGAN-GP 28x28x1, batch 64, z 32, 2 critic steps",
    "dcgan_reference": "DCGAN 32x32x1, batch 64, z 100",
}


def _rate(summary):
    """'1,234 (5.6 ms)': images/s and the median step time, starred when fewer than 50 steps were timed."""
    star = "*" if summary["timed_steps"] < 50 else ""
    return f"{summary['images_per_s']:,.0f} ({summary['median_ms']:.1f} ms){star}"


def _cell(row, errors, key=None):
    """A table cell for one timed model of `row`; a failure becomes a numbered note in `errors`."""
    if row is None:
        return "not run"
    if "error" in row:
        errors.append(f"{row['config']}, jit_compile={row['jit']}: `{_one_line(row['error'])}`")
        return f"failed [{len(errors)}]"
    effective = row["jit_effective"][key] if isinstance(row["jit_effective"], dict) else row["jit_effective"]
    refused = row["jit"] == "on" and not effective
    return _rate(row[key] if key else row) + (" (Keras kept XLA off)" if refused else "")


def _one_line(error, limit=400):
    """The informative start of an error message on one line."""
    return " ".join(error.split())[:limit].replace("|", "\\|").replace("`", "'")


def _faster(off, on, key=None):
    """Which jit setting gave more images/s, and by how much."""
    if not off or not on or "error" in off or "error" in on:
        return "off" if on and "error" in on and off and "error" not in off else "–"
    rate_off = (off[key] if key else off)["images_per_s"]
    rate_on = (on[key] if key else on)["images_per_s"]
    return f"on ({rate_on / rate_off:.2f}x)" if rate_on > rate_off else f"off ({rate_off / rate_on:.2f}x)"


def _pair(off, on, field, fmt):
    """'a / b' of a field of the jit-off and jit-on rows."""
    return " / ".join(fmt.format(row[field]) if row and field in row else "–" for row in (off, on))


def _zoo_table(rows, errors):
    """Markdown lines of the zoo models' table."""
    lines = [
        "| model | recipe | batch (what is counted) | batch shapes | jit off: images/s (ms/step) | jit on: images/s (ms/step) "
        "| faster | first step s (off / on) | peak RSS MiB (off / on) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for config in ZOO:
        off, on = rows.get((config, "off")), rows.get((config, "on"))
        if not off and not on:
            continue
        known = next((row for row in (off, on) if row and "model" in row), {})
        counted = f"{known.get('batch_size', '?')} {known.get('unit', '')}"
        lines.append(
            f"| {known.get('model', config.split('_')[0])} | zoo/{config}.flags | {counted} "
            f"| {known.get('shapes', '?')} | {_cell(off, errors)} | {_cell(on, errors)} | {_faster(off, on)} "
            f"| {_pair(off, on, 'first_step_s', '{:.1f}')} | {_pair(off, on, 'peak_rss_mib', '{:.0f}')} |"
        )
    return lines


def _gflops(row, key, peak):
    """'12.3 (3.7 %)': achieved GFLOP/s of one model of a reference row and its share of the peak."""
    achieved = row["flops_per_step"] / (row[key]["median_ms"] / 1000) / 1e9
    return f"{achieved:.1f} ({100 * achieved / peak:.1f} %)"


def _reference_table(rows, errors, peak):
    """Markdown lines of the reference configurations' table, with a best-setting row each, and their FLOP counts."""
    lines = [
        "| configuration | jit_compile | kerasgan images/s (ms/step) | hand-written images/s (ms/step) | kerasgan ÷ hand-written "
        "| kerasgan GFLOP/s (% of peak) | hand-written GFLOP/s (% of peak) | peak RSS MiB (both models) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    counts = []
    for config in REFERENCES:
        timed = {jit: rows.get((config, jit)) for jit in ("off", "on")}
        timed = {jit: row for jit, row in timed.items() if row}
        for jit, row in timed.items():
            if "error" in row:
                lines.append(f"| {REFERENCE_NAMES[config]} | {jit} | {_cell(row, errors)} | | | | | |")
                continue
            ratio = row["kerasgan"]["images_per_s"] / row["hand_written"]["images_per_s"]
            lines.append(
                f"| {REFERENCE_NAMES[config]} | {jit} | {_cell(row, errors, 'kerasgan')} | {_cell(row, errors, 'hand_written')} "
                f"| {ratio:.2f} | {_gflops(row, 'kerasgan', peak)} | {_gflops(row, 'hand_written', peak)} "
                f"| {row['peak_rss_mib']:.0f} |"
            )
        good = [row for row in timed.values() if "error" not in row]
        if good:
            ours = max(good, key=lambda row: row["kerasgan"]["images_per_s"])
            theirs = max(good, key=lambda row: row["hand_written"]["images_per_s"])
            ratio = ours["kerasgan"]["images_per_s"] / theirs["hand_written"]["images_per_s"]
            lines.append(
                f"| {REFERENCE_NAMES[config]} | **each at its best** | {_rate(ours['kerasgan'])} (jit {ours['jit']}) "
                f"| {_rate(theirs['hand_written'])} (jit {theirs['jit']}) | **{ratio:.2f}** | | | |"
            )
            profiled = good[0]["profiler_flops"]
            counts.append(
                f"{REFERENCE_NAMES[config]}: {good[0]['flops_per_step'] / 1e9:.2f} GFLOP per step analytically; the TF "
                f"profiler counts {profiled['kerasgan'] / 1e9:.2f} in kerasgan's traced step, {profiled['hand_written'] / 1e9:.2f} "
                "in the hand-written one"
            )
    return lines, counts


def _pipeline_table(rows, errors):
    """Markdown lines of the input-pipeline table."""
    lines = [
        "| recipe | jit_compile | data.load images/s (ms/step) | cached batch images/s (ms/step) | data.load ÷ cached | input-bound? |",
        "|---|---|---|---|---|---|",
    ]
    for jit in ("off", "on"):
        row = rows.get((PIPELINE, jit))
        if not row:
            continue
        if "error" in row:
            lines.append(f"| zoo/dcgan_digits.flags | {jit} | {_cell(row, errors)} | | | |")
            continue
        ratio = row["data_load"]["images_per_s"] / row["cached"]["images_per_s"]
        verdict = "no" if ratio >= 0.95 else f"yes: {100 * (1 - ratio):.0f} % slower with data.load"
        lines.append(
            f"| zoo/dcgan_digits.flags | {jit} | {_cell(row, errors, 'data_load')} | {_cell(row, errors, 'cached')} "
            f"| {ratio:.2f} | {verdict} |"
        )
    return lines


def _section(machine, rows):
    """The whole "## Throughput" section of BENCHMARKS.md, from the machine description and the rows."""
    rows = {(row["config"], row["jit"]): row for row in rows}
    errors = []
    zoo = _zoo_table(rows, errors)
    references, counts = _reference_table(rows, errors, machine["peak_gflops"])
    pipeline = _pipeline_table(rows, errors)
    steps = sorted({(row.get("steps"), row.get("warmup")) for row in rows.values() if "steps" in row})
    dates = sorted({row["date"] for row in rows.values() if "date" in row})
    rounds = ", ".join(str(count) for count in sorted({row.get("rounds", 1) for row in rows.values()}))
    lines = [
        BEGIN,
        "## Throughput",
        "",
        "Images per second of one training step (docs/protocols.md section 5), with `jit_compile` off and on, written by "
        "`make bench` (`python bench/throughput.py`; `--configs=...` and `--steps=...` for a quick check) from "
        "bench/results/throughput.json. Each configuration and jit setting runs in its own Python process; the step time "
        "is the median of the step intervals of `model.fit(steps_per_epoch=...)` taken at `on_train_batch_end` (which "
        "waits for the step's metrics), after "
        "dropping the first warm-up intervals (tracing and XLA compilation): steps per model and warm-up "
        f"{', '.join(f'{s} and {w}' for s, w in steps)}. "
        "Two models timed in one process run in the order A B B A (half the timed steps each run). The whole set runs "
        f"in {rounds} rounds (`--repeats`), one configuration after another, and each figure is the median over the "
        "rounds: the speed of this shared machine drifts by 10-20 % between minutes, more than most differences "
        "below, so read ratios within about 1.1 as ties. Peak RSS is the process's "
        "`ru_maxrss` (the largest of the rounds). The JSON also holds each round's images/s and each step time's 25th "
        "and 75th percentiles. Values marked * were timed over fewer "
        "than 50 steps (a quick check, not a result).",
        "",
        f"Machine: {machine['cpu']} ({machine['vendor']}, family {machine['cpu_family']}), {machine['cores']} cores at "
        f"{machine['ghz']:.2f} GHz (/proc/cpuinfo), SIMD: {', '.join(machine['simd'])}; TensorFlow {machine['tensorflow']}, "
        f"Keras {machine['keras']}, Python {machine['python']}; measured {', '.join(dates)} (load average at the start of "
        f"the last run: {', '.join(f'{value:.1f}' for value in machine['load_average'])}). "
        f"Peak fp32: {machine['cores']} cores x {machine['ghz']:.2f} GHz x {machine['flops_per_cycle_per_core']} FLOPs/cycle "
        f"= {machine['peak_gflops']:.0f} GFLOP/s, assuming {machine['peak_assumption']}, at the clock /proc/cpuinfo reports "
        "(boost clocks are higher, so this is a peak of the nominal clock).",
        "",
        "### Zoo models at their recipe's shapes",
        "",
        "Each model as `kerasgan train --flagfile=zoo/<recipe>.flags` builds it (default optimizers), fed one batch of "
        "the recipe's shapes held in memory (`Dataset.from_tensors(batch).repeat()`; images and points replaced by uniform "
        "noise in [-1, 1], labels kept). images/s counts the recipe's global batch per step: images; for the MLP GAN "
        "(wgan_gp_grid25) 2-D points; for DANN source plus target examples; for Pix2Pix (input, target) pairs; for "
        "CycleGAN (A, B) pairs (one image of each domain). A step is the model's whole `train_step` (WGAN: 5 critic "
        "updates and 1 generator update).",
        "",
        *_or_note(zoo),
        "",
        "### kerasgan against a hand-written train_step (reference configurations)",
        "",
        "The protocol's networks (docs/protocols.md section 5), given to `WGAN(generator=..., critic=..., critic_steps=2)` and "
        "`DCGAN(generator=..., discriminator=...)`, against a plain keras.Model subclass in the keras.io examples' style "
        "(bench/reference_steps.py) holding clones of the same networks with the same initial weights, on the same random "
        "batch in the same process. Hand-written WGAN-GP: separate critic calls on real and fake, the penalty on uniform "
        "interpolates (the keras.io example draws them from a normal), 2 critic steps then a generator step, "
        "Adam(1e-4, 0.5, 0.9). Hand-written DCGAN: one discriminator call on the concatenated fake and real batch with noisy "
        "labels, binary cross-entropy on logits, Adam(2e-4, 0.5); kerasgan calls the discriminator on real and fake "
        "separately. \"each at its best\" compares kerasgan's faster jit setting with the hand-written step's faster one.",
        "",
        *_or_note(references),
        "",
        "FLOPs per step are counted analytically (bench/flops.py): a forward pass F = 2 x the multiply-accumulates of "
        "the Conv2D, Conv2DTranspose and Dense layers; training a network costs 3F (forward, input and weight gradients), "
        "carrying gradients through it 2F (the discriminator in the generator step), the gradient penalty 6F (forward and "
        "input gradient, differentiated again); batch norm, activations and optimizer updates are left out. WGAN-GP: "
        "critic_steps x (F_G + 12 F_D) + 3 F_G + 2 F_D; DCGAN: 4 F_G + 8 F_D. The same count serves both implementations "
        "(the same work). As a check, the TensorFlow profiler (`tf.compat.v1.profiler.profile(graph, "
        "ProfileOptionBuilder.float_operation())` on the graph of the traced `train_step`) counts every op with registered "
        "statistics as written in the graph, element-wise ops and gradients that are pruned before running included, so it "
        "sits somewhat above" + (": " + "; ".join(counts) if counts else "") + ".",
        "",
        "### Input pipeline",
        "",
        "The DCGAN digits recipe fed by `kerasgan.data.load(\"digits\", image_size=32, batch_size=32, split=\"all\")` "
        "(repeated) against the same pipeline's first batch cached in memory (`take(1).cache().repeat()`), the same model "
        "in one process. A ratio near 1 means training is compute-bound, not input-bound.",
        "",
        *_or_note(pipeline),
    ]
    if errors:
        lines += ["", "Failures (the start of each error message):", ""]
        lines += [f"{index}. {error}" for index, error in enumerate(errors, 1)]
    return "\n".join(lines + [END])


def _or_note(table):
    """The table, or a note when it has no rows (its configurations were never run)."""
    return table if len(table) > 2 else ["Not measured yet (run it with `--configs=...`)."]


def _progress(row):
    """One line about a finished row."""
    if "error" in row:
        return "ERROR " + row["error"].splitlines()[0][:300]
    parts = [name for name in ("kerasgan", "hand_written", "data_load", "cached") if name in row]
    timed = [f"{name} {row[name]['images_per_s']:.0f} images/s" for name in parts]
    timed = timed or [f"{row['images_per_s']:.0f} images/s ({row['median_ms']:.1f} ms/step)"]
    return ", ".join(timed) + f", peak RSS {row['peak_rss_mib']:.0f} MiB, {row['wall_s']:.0f} s"


def main(argv):
    del argv
    if FLAGS.one:
        print(ROW_PREFIX + json.dumps(run_one(FLAGS.one, FLAGS.jit[0])), flush=True)
        return
    unknown = sorted(set(FLAGS.configs) - set(CONFIGS)) + sorted(set(FLAGS.jit) - {"on", "off"})
    if unknown:
        raise app.UsageError(f"unknown configuration or jit setting: {', '.join(unknown)}")
    machine, rows = _load(FLAGS.results)
    if FLAGS.configs or machine is None:  # --configs= (none) only rewrites BENCHMARKS.md from the JSON
        machine = {**flops.machine(), **_versions(), "date": datetime.date.today().isoformat(), "load_average": os.getloadavg()}
    started = time.time()
    rounds = {}
    for round_ in range(FLAGS.repeats):  # whole rounds, so that a slow spell of the machine hits every row alike
        for config in FLAGS.configs:
            for jit in FLAGS.jit:
                row = _subprocess_row(config, jit)
                rounds.setdefault((config, jit), []).append(row)
                print(f"round {round_ + 1}: {config} jit {jit}: {_progress(row)}", flush=True)
    for key, runs in rounds.items():
        rows[key] = {**_median_row(runs), "date": machine["date"]}
    machine.setdefault("wall_s_last_run", time.time() - started)
    ordered = sorted(rows.values(), key=lambda row: (CONFIGS.index(row["config"]), row["jit"]))
    os.makedirs(os.path.dirname(FLAGS.results), exist_ok=True)
    with open(FLAGS.results, "w") as handle:
        json.dump({"machine": machine, "rows": ordered}, handle, indent=1)
    sections.replace_section(FLAGS.markdown, _section(machine, ordered), BEGIN, END)
    print(f"wrote {FLAGS.results} and {FLAGS.markdown} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    app.run(main)
