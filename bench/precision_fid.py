"""Does 16-bit compute keep sample quality? DCGAN and WGAN-GP on MNIST in float32 and in mixed bfloat16.

    python bench/precision_fid.py                                # both models, both precisions, seeds 0-4
    python bench/precision_fid.py --models=dcgan --seeds=0       # a part
    python bench/precision_fid.py --models=                      # only rewrite BENCHMARKS.md from the results

Each (model, precision, seed) runs `kerasgan train --flagfile=zoo/<recipe>.flags --precision=<p>
--seed=<s>` (the same steps for both precisions) into runs/precision/, then `kerasgan evaluate
--num_images=10000`: the Inception FID of 10,000 samples against the 10,000 MNIST test images
(pool_3 of the TF inception-2015-12-05 graph, images resized bilinearly to 299x299). A
result file per run is written when the run is scored, so an interrupted benchmark resumes at
the first unscored run. The verdict of a model: its bfloat16 mean FID is within the seed
spread of float32 when the two means differ by at most the larger of the two seed standard
deviations. Writes bench/results/precision/*.json and the "## Precision" section of BENCHMARKS.md.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import sections  # bench/sections.py
from absl import app, flags

FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECIPES = {"dcgan": "dcgan_mnist", "wgan_gp": "wgan_gp_mnist"}
PRECISIONS = ("float32", "bfloat16")
NUM_IMAGES = 10_000
BEGIN, END = "<!-- precision:begin (written by bench/precision_fid.py) -->", "<!-- precision:end -->"


def define_flags():
    flags.DEFINE_list("models", list(RECIPES), f"Models to run: {', '.join(RECIPES)}.")
    flags.DEFINE_list("seeds", ["0", "1", "2", "3", "4"], "Training seeds.")
    flags.DEFINE_string("results", os.path.join(ROOT, "bench/results/precision"), "One JSON per scored run.")
    flags.DEFINE_string("runs", os.path.join(ROOT, "runs/precision"), "Run folders.")
    flags.DEFINE_string("markdown", os.path.join(ROOT, "BENCHMARKS.md"), "The file whose Precision section is rewritten.")
    flags.DEFINE_bool(
        "score", True, "Score the trained runs; --noscore only trains them (score them later, with one version of the FID code)."
    )


def _kerasgan(arguments, log_path):
    """Runs the kerasgan command with `arguments`, its output in `log_path`; RuntimeError when it fails."""
    executable = os.path.join(os.path.dirname(sys.executable), "kerasgan")
    with open(log_path, "a") as log:
        done = subprocess.run([executable, *arguments], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RuntimeError(f"kerasgan {arguments[0]} failed (exit {done.returncode}); see {log_path}")


def train_arguments(model, precision, seed, run):
    return [
        "train", f"--flagfile=zoo/{RECIPES[model]}.flags", f"--precision={precision}", f"--seed={seed}",
        f"--output_dir={os.path.relpath(run, ROOT)}", "--sample_every=1000",
    ]


def evaluate_arguments(run, scores_path):
    return [
        "evaluate", f"--model_path={os.path.relpath(run, ROOT)}", "--dataset=mnist", f"--num_images={NUM_IMAGES}",
        f"--output={os.path.relpath(scores_path, ROOT)}",
    ]


def run_one(model, precision, seed):
    """Trains (unless its run finished) and scores one run unless its result exists; returns the result."""
    name = f"{model}_{precision}_seed{seed}"
    result_path = os.path.join(FLAGS.results, name + ".json")
    if os.path.exists(result_path):
        with open(result_path) as handle:
            return json.load(handle)
    run = os.path.join(FLAGS.runs, name)
    log_path = run + ".log"
    os.makedirs(FLAGS.runs, exist_ok=True)
    training = train_arguments(model, precision, seed, run)
    seconds_path = run + "_train_seconds.json"
    if not os.path.exists(os.path.join(run, "model.keras")):  # an unfinished run resumes from its checkpoint
        resumed, started = os.path.exists(run), time.time()
        _kerasgan(training, log_path)
        sections.write_json(seconds_path, None if resumed else time.time() - started)
    with open(seconds_path) as handle:
        train_seconds = json.load(handle)
    if not FLAGS.score:
        return {"fid": float("nan"), "train_seconds": train_seconds}
    scores_path = run + "_scores.json"
    scoring = evaluate_arguments(run, scores_path)
    _kerasgan(scoring, log_path)
    with open(scores_path) as handle:
        scores = json.load(handle)
    from kerasgan.metrics import inception

    result = {
        "model": model, "precision": precision, "seed": seed, "fid": scores["fid"], "scores": scores,
        "fid_network_precision": getattr(inception, "DEFAULT_PRECISION", "float32"),
        "train_seconds": train_seconds, "commands": ["kerasgan " + " ".join(training), "kerasgan " + " ".join(scoring)],
        "date": time.strftime("%Y-%m-%d"),
    }
    sections.write_json(result_path, result)
    return result


def _finished():
    """{(model, precision): [result per seed]} of the result files on disk."""
    found = {}
    if os.path.isdir(FLAGS.results):
        for file_name in sorted(os.listdir(FLAGS.results)):
            if file_name.endswith(".json"):
                with open(os.path.join(FLAGS.results, file_name)) as handle:
                    result = json.load(handle)
                found.setdefault((result["model"], result["precision"]), []).append(result)
    return found


def _spread(values):
    """'12.3 +- 0.4 (12.0, 12.1, 12.8)': mean, sample standard deviation and the values."""
    deviation = statistics.stdev(values) if len(values) > 1 else 0.0
    listed = ", ".join(f"{value:.1f}" for value in values)
    return f"{statistics.mean(values):.1f} +- {deviation:.1f} ({listed})"


def verdict(float32_fids, bfloat16_fids):
    """'equal' when the mean FIDs differ by at most the larger seed standard deviation, else which is better."""
    if len(float32_fids) < 2 or len(bfloat16_fids) < 2:
        return "too few seeds"
    gap = statistics.mean(bfloat16_fids) - statistics.mean(float32_fids)
    spread = max(statistics.stdev(float32_fids), statistics.stdev(bfloat16_fids))
    if abs(gap) <= spread:
        return "equal within the seed spread"
    return f"bfloat16 {'worse' if gap > 0 else 'better'} by {abs(gap):.1f}"


def _minutes(results):
    timed = [result["train_seconds"] for result in results if result["train_seconds"]]
    return f"{statistics.median(timed) / 60:.1f}" if timed else "–"


def _network_precision(found):
    """The arithmetic of the FID network the results were scored with (one for all, or a list)."""
    kinds = sorted({result.get("fid_network_precision", "float32") for results in found.values() for result in results})
    return " and ".join(kinds) + (" (the runs were scored with different networks)" if len(kinds) > 1 else "")


def section(found):
    """The "## Precision" section of BENCHMARKS.md from the results."""
    lines = [
        BEGIN, "## Precision", "",
        "Inception FID on MNIST (10,000 samples against the 10,000 test images, pool_3 of the TF "
        f"inception-2015-12-05 graph in {_network_precision(found)}, bilinear resize to 299x299) of the same "
        "recipe trained for the same steps in float32 and in mixed bfloat16 (float32 weights, bfloat16 "
        "compute), per seed: mean +- standard deviation (the seeds' values, seed 0 first). Written by `make "
        "bench-precision` (`python bench/precision_fid.py`). Training minutes are the median wall time of "
        "`kerasgan train` on this 2-core CPU (avx512_bf16, AMX), shared with other jobs.", "",
        "| model | recipe | float32 FID | bfloat16 FID | verdict | train min (float32 / bfloat16) |",
        "|---|---|---|---|---|---|",
    ]
    commands = []
    for model, recipe in RECIPES.items():
        full, half = found.get((model, "float32"), []), found.get((model, "bfloat16"), [])
        if not full and not half:
            continue
        fids = [[result["fid"] for result in results] for results in (full, half)]
        cells = [_spread(values) if values else "not run" for values in fids]
        lines.append(
            f"| {model} | zoo/{recipe}.flags | {cells[0]} | {cells[1]} | {verdict(*fids)} "
            f"| {_minutes(full)} / {_minutes(half)} |"
        )
        first = (full + half)[0]
        run = os.path.join(ROOT, "runs/precision", f"{model}_{first['precision']}_seed{first['seed']}")
        shown = train_arguments(model, first["precision"], first["seed"], run), evaluate_arguments(run, run + "_scores.json")
        commands += [f"- `kerasgan {' '.join(arguments)}`" for arguments in shown]
    missing = [model for model in RECIPES if not any(key[0] == model for key in found)]
    if missing:
        lines += ["", f"Not measured yet: {', '.join(missing)} (`make bench-precision` trains and scores what is missing)."]
    lines += ["", "Commands of one run (each run sets its own --precision and --seed):", "", *commands, END]
    return "\n".join(lines)


def main(argv):
    del argv
    unknown = sorted(set(FLAGS.models) - set(RECIPES))
    if unknown:
        raise app.UsageError(f"unknown model {', '.join(unknown)}: use some of {', '.join(RECIPES)}")
    failures = []
    for model in FLAGS.models:  # model by model: a part of the benchmark gives one model's verdict
        for seed in FLAGS.seeds:
            for precision in PRECISIONS:
                started = time.time()
                try:
                    result = run_one(model, precision, int(seed))
                except RuntimeError as error:
                    failures.append(str(error))
                    print(error, flush=True)
                    continue
                print(f"{model} {precision} seed {seed}: FID {result['fid']:.2f} ({time.time() - started:.0f} s)", flush=True)
    if FLAGS.score:
        sections.replace_section(FLAGS.markdown, section(_finished()), BEGIN, END)
        print(f"wrote {FLAGS.markdown}")
    if failures:
        raise SystemExit("failed (rerun to retry them):\n" + "\n".join(failures))


if __name__ == "__main__":
    define_flags()
    app.run(main)
