"""Training throughput: kerasgan against a hand-written step and PyTorch, its defaults, the zoo, the input pipelines.

    python bench/throughput.py                                  # everything (make bench)
    python bench/throughput.py --groups=equal,peers --repeats=1 --steps=30
    python bench/throughput.py --groups=                        # only rewrite BENCHMARKS.md from the JSON

Groups of rows, each row timed in its own subprocess (`--one=<group>:<config>:<variant>`, which
prints one JSON line) so that its peak RSS is its own (bench/throughput_runs.py):
- equal: kerasgan against a plain keras.io-style train_step (bench/reference_steps.py) on the
  same networks, weights, batch, precision and XLA setting, in one process;
- peers: kerasgan's defaults (precision and jit_compile "auto") against the float32 hand-written
  step in the same process, and PyTorch twins of the reference networks, eager and torch.compile
  (bench/torch_steps.py; torch only in the bench extra);
- zoo: every recipe at its shapes on a batch held in memory: float32 with XLA off and on, and the defaults;
- pipeline: kerasgan.data.load of each real dataset against one cached batch;
- fid: the FID network's feature extraction speed.
The whole set runs --repeats rounds, one row after another; each figure is the median over the
rounds. Writes bench/results/throughput.json and the "## Throughput" section of BENCHMARKS.md after
every row; a stopped run goes on from runs/throughput_rounds.json when run again with the same flags.
"""
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import flops
import sections
import throughput_tables as tables
from absl import app, flags

FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO = [
    "dcgan_digits", "dcgan_mnist", "cgan_digits", "wgan_gp_digits", "wgan_gp_mnist", "wgan_clip_digits", "ebgan_digits",
    "wgan_gp_grid25", "pix2pix_colorization", "cyclegan_digits_m", "dann_moons", "dann_digits_m",
]
EQUAL = {
    "wgan_gp_reference": "WGAN-GP reference networks, 28x28x1, batch 64, z 32, 2 critic steps",
    "dcgan_reference": "DCGAN reference networks, 32x32x1, batch 64, z 100",
    "dcgan_32": "kerasgan's DCGAN, 32x32x1, batch 64, z 100, filters 64",
    "dcgan_mnist": "zoo/dcgan_mnist.flags networks, 28x28x1, batch 64",
    "wgan_gp_mnist": "zoo/wgan_gp_mnist.flags networks, 28x28x1, batch 64, 5 critic steps",
}
TORCH_TWINS = ("wgan_gp_reference", "dcgan_reference")
PIPELINES = ("mnist", "fashion_mnist", "mnist_m", "digits")
GROUPS = {
    "equal": {config: ("float32_off", "float32_on", "bfloat16_off", "bfloat16_on") for config in EQUAL},
    "peers": {config: ("default",) + (("torch_eager", "torch_compile") if config in TORCH_TWINS else ()) for config in EQUAL},
    "zoo": {config: ("off", "on", "default") for config in ZOO},
    "pipeline": {config: ("default",) for config in PIPELINES},
    "fid": {"inception": ("default",)},
}
ROW_PREFIX = "THROUGHPUT_ROW "

flags.DEFINE_list("groups", list(GROUPS), f"Groups of rows to time: {', '.join(GROUPS)}.")
flags.DEFINE_list("configs", [], "Only these configurations of the groups (default: all of them).")
flags.DEFINE_integer("steps", 60, "Train steps per model, warm-up included (>= 50 timed steps for the published table).")
flags.DEFINE_integer("warmup", 10, "Step intervals dropped at the start (tracing, XLA compilation).")
flags.DEFINE_string("one", None, "Time <group>:<config>:<variant> in this process and print one JSON line (used by the parent).")
flags.DEFINE_string("results", os.path.join(ROOT, "bench/results/throughput.json"), "The JSON of all rows.")
flags.DEFINE_string("markdown", os.path.join(ROOT, "BENCHMARKS.md"), "The Markdown file whose Throughput section is rewritten.")
flags.DEFINE_string("readme", os.path.join(ROOT, "README.md"), "The README whose speed table is rewritten ('': none).")
flags.DEFINE_integer(
    "repeats", 3, "Rounds over all rows; each figure is the median of its rounds (this machine's speed drifts)."
)
flags.DEFINE_integer("timeout", 3600, "Seconds before a row's subprocess is stopped.")
flags.DEFINE_string(
    "rounds_file", os.path.join(ROOT, "runs/throughput_rounds.json"),
    "The rounds timed so far; a stopped run with the same rows, --repeats, --steps and --warmup goes on from it.",
)


def run_one(group, config, variant):
    """Times one row in this process; returns it (with "error" when it failed)."""
    import keras
    import throughput_runs as runs

    keras.utils.set_random_seed(0)
    row = {"group": group, "config": config, "variant": variant, "steps": FLAGS.steps, "warmup": FLAGS.warmup}
    started = time.time()
    try:
        if group == "equal":
            row.update(runs.equal_row(config, variant, FLAGS.steps, FLAGS.warmup))
        elif group == "peers" and variant == "default":
            row.update(runs.default_row(config, FLAGS.steps, FLAGS.warmup))
        elif group == "peers":
            row.update(runs.torch_row(config, variant, FLAGS.steps, FLAGS.warmup))
        elif group == "zoo":
            row.update(runs.zoo_row(config, variant, FLAGS.steps, FLAGS.warmup))
        elif group == "pipeline":
            row.update(runs.pipeline_row(config, FLAGS.steps, FLAGS.warmup))
        else:
            row.update(runs.fid_extraction_row())
    except Exception as error:  # a row that fails (a model under XLA, a missing torch) is a result to report
        row["error"] = f"{type(error).__name__}: {error}"[:4000]
    row["peak_rss_mib"] = runs.peak_rss_mib()
    row["wall_s"] = time.time() - started
    return row


def _subprocess_row(group, config, variant):
    """Runs `--one=group:config:variant` in a fresh Python; returns the row it prints, or an error row."""
    command = [
        sys.executable, os.path.abspath(__file__), f"--one={group}:{config}:{variant}", f"--steps={FLAGS.steps}",
        f"--warmup={FLAGS.warmup}",
    ]
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    failed = {"group": group, "config": config, "variant": variant}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=FLAGS.timeout, env=environment, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {**failed, "error": f"timed out after {FLAGS.timeout} s"}
    for line in done.stdout.splitlines():
        if line.startswith(ROW_PREFIX):
            return json.loads(line[len(ROW_PREFIX):])
    return {**failed, "error": f"exit status {done.returncode}: {done.stderr[-3000:]}"}


def _versions():
    """TensorFlow, Keras, PyTorch and Python versions, read without importing them in the parent."""
    from importlib import metadata

    versions = {"tensorflow": metadata.version("tensorflow"), "keras": metadata.version("keras"), "python": platform.python_version()}
    try:
        versions["torch"] = metadata.version("torch")
    except metadata.PackageNotFoundError:
        versions["torch"] = None
    return versions


def _load(path):
    """The machine description and rows (by (group, config, variant)) of earlier runs; (None, {}) when there are none."""
    if not os.path.exists(path):
        return None, {}
    with open(path) as handle:
        results = json.load(handle)
    rows = {(row["group"], row["config"], row["variant"]): row for row in results["rows"] if "group" in row}
    return results["machine"], rows


def _progress(row):
    """One line about a finished row."""
    if "error" in row:
        return "ERROR " + row["error"].splitlines()[0][:300]
    parts = [f"{name} {row[name]['images_per_s']:.0f} images/s" for name in tables.TIMED if name in row]
    if not parts and "median_ms" in row:
        parts = [f"{row['images_per_s']:.0f} images/s ({row['median_ms']:.1f} ms/step)"]
    if not parts:
        parts = [f"{row.get('images_per_s', 0):.1f} images/s"]
    return ", ".join(parts) + f", peak RSS {row['peak_rss_mib']:.0f} MiB, {row['wall_s']:.0f} s"


def _selected():
    """The (group, config, variant) rows --groups and --configs select, in table order."""
    unknown = sorted(set(FLAGS.groups) - set(GROUPS))
    every = {config for configs in GROUPS.values() for config in configs}
    unknown += sorted(set(FLAGS.configs) - every)
    if unknown:
        raise app.UsageError(f"unknown group or configuration: {', '.join(unknown)}")
    return [
        (group, config, variant)
        for group in FLAGS.groups
        for config, variants in GROUPS[group].items()
        if not FLAGS.configs or config in FLAGS.configs
        for variant in variants
    ]


def _rounds_so_far(plan):
    """The rows already timed by a stopped run of the same plan, by "group:config:variant"; {} for a new plan."""
    if not os.path.exists(FLAGS.rounds_file):
        return {}
    with open(FLAGS.rounds_file) as handle:
        saved = json.load(handle)
    return saved["rounds"] if saved["plan"] == plan else {}


def _write(machine, rows):
    """Writes the JSON, the Throughput section and the README speed table from every row so far."""
    ordered = sorted(rows.values(), key=lambda row: (list(GROUPS).index(row["group"]), row["config"], row["variant"]))
    os.makedirs(os.path.dirname(FLAGS.results), exist_ok=True)
    sections.write_json(FLAGS.results, {"machine": machine, "rows": ordered})
    sections.replace_section(FLAGS.markdown, tables.section(machine, ordered, EQUAL, ZOO, PIPELINES), tables.BEGIN, tables.END)
    if FLAGS.readme:
        sections.replace_section(FLAGS.readme, tables.readme_table(machine, ordered, EQUAL), tables.README_BEGIN, tables.README_END)


def main(argv):
    del argv
    if FLAGS.one:
        print(ROW_PREFIX + json.dumps(run_one(*FLAGS.one.split(":"))), flush=True)
        return
    selected = _selected()
    machine, rows = _load(FLAGS.results)
    if selected or machine is None:  # --groups= (none) only rewrites BENCHMARKS.md from the JSON
        machine = {**flops.machine(), **_versions(), "date": datetime.date.today().isoformat(), "load_average": os.getloadavg()}
    started = time.time()
    plan = {"rows": [":".join(key) for key in selected], "repeats": FLAGS.repeats, "steps": FLAGS.steps, "warmup": FLAGS.warmup}
    rounds = _rounds_so_far(plan)
    for round_ in range(FLAGS.repeats):  # whole rounds, so that a slow spell of the machine hits every row alike
        for key in selected:
            done = rounds.setdefault(":".join(key), [])
            if len(done) > round_:
                continue
            row = _subprocess_row(*key)
            done.append(row)
            print(f"round {round_ + 1}: {' '.join(key)}: {_progress(row)}", flush=True)
            sections.write_json(FLAGS.rounds_file, {"plan": plan, "rounds": rounds})
            rows[key] = {**tables.median_row(done), "date": machine["date"]}
            machine["wall_s_last_run"] = time.time() - started
            _write(machine, rows)
    _write(machine, rows)
    if os.path.exists(FLAGS.rounds_file):
        os.remove(FLAGS.rounds_file)
    print(f"wrote {FLAGS.results}, {FLAGS.markdown} and {FLAGS.readme or 'no README'} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    app.run(main)
