"""Makes the presets shipped in kerasgan/presets/ from the quality benchmark's runs (make presets).

    python bench/presets.py                       # every preset whose run is finished and whose folder is absent
    python bench/presets.py --names=dcgan_mnist

Each preset is the seed's run folder of a bench/quality.py row: its model's inference networks stored in
float16 (or int8, kerasgan.presets.files) with the row's recipe, seed and scores
(bench/results/quality/<row>_seed<s>.json). The preset's cheap check score (e.g. FID of 1,000 samples) is
measured on the preset as loaded, and on the float32 model of the run beside it, so that the storage's effect
is on record; tests/test_presets.py measures it again. The FID check uses 1,000 samples (against the first
1,000 test images): the Inception network takes about 40 s a thousand images on 2 CPU cores, and the test
suite runs it for each image preset.
"""
import dataclasses
import json
import os
import shlex
import sys
import tempfile

from absl import app, flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

FLAGS = flags.FLAGS


@dataclasses.dataclass
class Preset:
    row: str  # the bench/quality.py row whose run it is
    seed: int
    description: str
    protocol: str  # how the row's scores were measured
    check_metric: str  # the cheap score tests measure again
    check_images: int
    weights_dtype: str = "float16"  # kerasgan.presets.files: "int8" for the InfoGAN-size generators (6.6M weights)


FID_10K = "FID, KID, precision, recall: 10,000 samples against the 10,000 test images, Inception pool_3 at 299x299"
PRESETS = {
    "dcgan_mnist": Preset(
        "dcgan_mnist_lucic", 0,
        "DCGAN (Radford et al. 2016) on MNIST, Lucic et al. 2018's budget (15,625 updates of 64), an average of G's weights",
        FID_10K, "fid", 1000, "int8",
    ),
    "dcgan_fashion_mnist": Preset(
        "dcgan_fashion_mnist_lucic", 0,
        "DCGAN (Radford et al. 2016) on Fashion-MNIST, Lucic et al. 2018's budget, an average of G's weights",
        FID_10K, "fid", 1000, "int8",
    ),
    "cgan_mnist": Preset(
        "cgan_mnist", 0, "CGAN (Mirza & Osindero 2014) on MNIST: draws the digit it is given, an average of G's weights",
        FID_10K + "; label accuracy: the MNIST classifier's on the samples of the test images' labels",
        "label_accuracy", 1000, "int8",
    ),
    "cyclegan_mnist_m": Preset(
        "cyclegan_mnist_m", 0, "CycleGAN (Zhu et al. 2017) between MNIST and MNIST-M, trained on unpaired images",
        "label preservation (each domain's classifier on the translations of labelled test images) and FID of them",
        "label_preservation_a_to_b", 1000,
    ),
    "context_encoder_fashion_mnist": Preset(
        "context_encoder_fashion_mnist", 0,
        "Context encoder (Pathak et al. 2016) filling the central 14x14 square of Fashion-MNIST images, L2 + adversarial",
        "hole L1 and PSNR on the central square of the 10,000 test images; mean_fill_*: the training images' mean instead",
        "hole_psnr", 2000,
    ),
    "dann_mnist_m": Preset(
        "dann_mnist_m", 0,
        "DANN (Ganin et al. 2016): a classifier of MNIST-M digits trained on labelled MNIST and unlabelled MNIST-M",
        "class accuracy on the first 1,000 MNIST-M test images (MNIST-M made from MNIST and packaged photos)",
        "class_accuracy", 1000,
    ),
}

flags.DEFINE_list("names", list(PRESETS), f"Presets to make: {', '.join(PRESETS)}.")
flags.DEFINE_string("runs", os.path.join(ROOT, "runs/quality"), "bench/quality.py's run folders.")
flags.DEFINE_string("results", os.path.join(ROOT, "bench/results/quality"), "bench/quality.py's results.")
flags.DEFINE_string("output", os.path.join(ROOT, "kerasgan/presets"), "Where the preset folders go.")
flags.DEFINE_string("page", os.path.join(ROOT, "docs/presets.md"), "The page whose table of presets is rewritten.")
BEGIN, END = "<!-- presets:begin (written by bench/presets.py) -->", "<!-- presets:end -->"


def _scored_on(evaluate_command):
    """The --dataset of the bench's `kerasgan evaluate` command (DANN's: the target domain, not the run's source)."""
    return next(word.split("=", 1)[1] for word in shlex.split(evaluate_command) if word.startswith("--dataset="))


def make(name, spec):
    """Writes the preset `name` from its run; returns its folder, or None when its run is not finished."""
    from kerasgan import presets, runs, saving

    run = os.path.join(FLAGS.runs, spec.row, f"seed_{spec.seed}")
    result_path = os.path.join(FLAGS.results, f"{spec.row}_seed{spec.seed}.json")
    if not (os.path.isfile(os.path.join(run, runs.MODEL)) and os.path.isfile(result_path)):
        print(f"{name}: {run} or {result_path} is missing: run bench/quality.py --models={spec.row} --seeds={spec.seed}")
        return None
    with open(result_path) as handle:
        result = json.load(handle)
    trained = saving.load_model(os.path.join(run, runs.MODEL))
    check = {"metric": spec.check_metric, "dataset": _scored_on(result["evaluate_command"]), "split": "test",
             "num_images": spec.check_images, "seed": 0}
    float32_value = presets.check_score(trained, {"check": check})
    scores = {key: value for key, value in result["scores"].items() if isinstance(value, (int, float))}
    metadata = dict(
        weights_dtype=spec.weights_dtype, run_flags=os.path.join(run, runs.FLAGS_FILE), description=spec.description,
        row=spec.row, seed=spec.seed, recipe=result["train_command"], scores=scores, protocol=spec.protocol,
    )
    # The check is measured on the preset as stored (a trial copy), then the preset is written with it: the
    # storage is deterministic, so the trial's weights are the preset's.
    with tempfile.TemporaryDirectory(dir=FLAGS.output) as trial:
        value = presets.check_score(presets.load(presets.save(trained, os.path.join(trial, name), **metadata)), {"check": check})
    presets.save(trained, os.path.join(FLAGS.output, name), check={**check, "value": value, "float32_value": float32_value}, **metadata)
    print(f"{name}: {check['metric']} {value:.4g} ({spec.weights_dtype} preset), {float32_value:.4g} (float32 run), "
          f"{runs.folder_size(os.path.join(FLAGS.output, name)) / 1e6:.1f} MB")
    return os.path.join(FLAGS.output, name)


def table():
    """The shipped presets as a Markdown table: name, class, size, the benchmark's scores, the check score."""
    from kerasgan import presets

    lines = [BEGIN, "| preset | model | size | scores (protocol below) | check: preset / float32 run |", "|---|---|---|---|---|"]
    notes = []
    for name in presets.names():
        info = presets.info(name)
        check = info["check"]
        scores = ", ".join(f"{key} {value:.4g}" for key, value in info["scores"].items() if isinstance(value, float))
        lines.append(
            f"| `{name}` | {info['model']} | {presets.size(name) / 1e6:.1f} MB, {info['weights_dtype']} | {scores} | {check['metric']} of "
            f"{check['num_images']:,} test images: {check['value']:.4g} / {check['float32_value']:.4g} |"
        )
        notes.append(f"- `{name}`: {info['description']}. Scores: {info['protocol']}. Trained by `{info['recipe']}`.")
    return "\n".join(lines + [""] + notes + [END])


def main(argv):
    del argv
    unknown = sorted(set(FLAGS.names) - set(PRESETS))
    if unknown:
        raise SystemExit(f"unknown presets {', '.join(unknown)}: choose from {', '.join(PRESETS)}")
    for name in FLAGS.names:
        if os.path.exists(os.path.join(FLAGS.output, name)):
            print(f"{name}: kept (delete {os.path.join(FLAGS.output, name)} to make it again)")
            continue
        make(name, PRESETS[name])
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import sections

    sections.replace_section(FLAGS.page, table(), BEGIN, END)


if __name__ == "__main__":
    app.run(main)
