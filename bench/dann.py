"""Domain adaptation with DANN (docs/protocols.md section 2): target accuracy against source only.

    python bench/dann.py --seeds=0,1,2

moons -> moons_rotated (30 degrees): DANN and the source-only baseline (`adaptation=False`,
the same networks, data and budget), scored on a fresh labelled draw of the rotated moons.
digits -> digits_m (the MNIST-M recipe): source only, DANN, and train on target (the same
networks fitted on labelled digits_m: the upper bound), with the zoo recipe's random inversion
and dropout (`--digits_random_invert=0 --digits_dropout=0` for the paper's networks); the share of the gap closed is
(DANN - source only) / (train on target - source only); each also on the test images with light
and with dark backgrounds (`kerasgan.data.digits_m.light_backgrounds`). Writes bench/results/dann.md and
.json, and the moons decision boundaries of the first seed to bench/results/dann_moons.png.
"""
import json
import os
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_list("seeds", ["0", "1", "2"], "Training seeds.")
flags.DEFINE_list("parts", ["moons", "digits"], "Which benchmarks to run.")
flags.DEFINE_integer("moons_epochs", 4000, "Epochs of the moons.")
flags.DEFINE_integer("moons_batch_size", 200, "Batch of the moons, half per domain (the recipe's 200: each domain's 100 points).")
flags.DEFINE_float("moons_strength", 3.0, "Largest reversal strength on the moons (the recipe's 3; the paper's 1).")
flags.DEFINE_integer("digits_epochs", 30, "Epochs of digits -> digits_m (44 batches of 32 + 32 each).")
flags.DEFINE_float("digits_strength", 1.0, "Largest reversal strength on digits -> digits_m (the paper's 1).")
flags.DEFINE_float(
    "digits_random_invert", 0.5, "digits -> digits_m: probability that g inverts a training image (the recipe's 0.5; the paper's 0)."
)
flags.DEFINE_float(
    "digits_dropout", 0.5, "digits -> digits_m: dropout rate of the label and domain heads (the recipe's 0.5; the paper's 0)."
)
flags.DEFINE_string("output", "bench/results/dann.md", "Markdown table; the JSON goes beside it.")


def _train(source, target, seed, epochs, strength, adaptation, networks=None, batch_size=64, **load):
    """A DANN (or its source-only baseline) fitted with the paper's schedules; returns the model and seconds.

    `networks`: DANN's arguments for its default networks (random_invert, dropout)."""
    import keras

    from kerasgan import callbacks, data
    from kerasgan.zoo import DANN

    keras.utils.set_random_seed(seed)
    dataset = data.domain_adaptation(source, target, batch_size=batch_size, seed=seed, **load)
    (source_spec, _), _ = dataset.element_spec
    model = DANN(
        input_shape=tuple(source_spec.shape[1:]), num_classes=data.num_classes(source), adaptation=adaptation, seed=seed,
        **(networks or {}),
    )
    model.compile()  # the paper's SGD(0.01, momentum 0.9), annealed below
    start = time.time()
    schedule = [callbacks.ReversalSchedule(max_strength=strength), callbacks.AnnealedLearningRate()]
    model.fit(dataset, epochs=epochs, verbose=0, callbacks=schedule)
    return model, time.time() - start


def _accuracy(model, name, **load):
    """Accuracy of `model` on every example of the labelled test split of `name` (no batch left out)."""
    from kerasgan import data

    test = data.load(name, batch_size=1, split="test", with_labels=True, shuffle=False, **load).unbatch().batch(256)
    return float(model.evaluate(test, verbose=0, return_dict=True)["class_accuracy"])


def moons(seed, picture=None):
    rows = {}
    models = {}
    for label, adaptation in (("source only", False), ("DANN", True)):
        model, seconds = _train(
            "moons", "moons_rotated", seed, FLAGS.moons_epochs, FLAGS.moons_strength, adaptation, batch_size=FLAGS.moons_batch_size
        )
        rows[label] = {"accuracy": _accuracy(model, "moons_rotated"), "seconds": seconds}
        models[f"{label}: target accuracy {rows[label]['accuracy']:.2f}"] = model
        print(f"moons seed {seed} {label}: {rows[label]}", flush=True)
    if picture:
        _boundary(models, picture)
    return rows


def _boundary(models, path):
    from kerasgan import data, plots

    domains = {role: data.examples(name, "test", with_labels=True) for role, name in (("source", "moons"), ("target", "moons_rotated"))}
    plots.save_decision_boundary(models, domains, path)


def digits(seed):
    """Source only, DANN and train on target, scored on digits_m's test split, in all and by background."""
    from kerasgan import data
    from kerasgan.data import digits_m

    load = {"image_size": 32, "channels": 3}
    rows = {}
    runs = (
        ("source only", "digits", False),
        ("DANN", "digits", True),
        ("train on target", "digits_m", False),
    )
    images, labels = data.examples("digits_m", "test", with_labels=True, **load)
    light = digits_m.light_backgrounds("test", load["image_size"])
    by_background = {}
    networks = {"random_invert": FLAGS.digits_random_invert, "dropout": FLAGS.digits_dropout}
    for label, source, adaptation in runs:
        model, seconds = _train(source, "digits_m", seed, FLAGS.digits_epochs, FLAGS.digits_strength, adaptation, networks, **load)
        rows[label] = {"accuracy": _accuracy(model, "digits_m", **load), "seconds": seconds}
        correct = model.predict(images, batch_size=256, verbose=0).argmax(axis=-1) == labels
        by_background[f"{label}: light backgrounds ({light.sum()})"] = {"accuracy": float(correct[light].mean())}
        by_background[f"{label}: dark backgrounds ({(~light).sum()})"] = {"accuracy": float(correct[~light].mean())}
        print(f"digits seed {seed} {label}: {rows[label]}", flush=True)
    low, high = rows["source only"]["accuracy"], rows["train on target"]["accuracy"]
    rows["gap closed"] = {"accuracy": (rows["DANN"]["accuracy"] - low) / (high - low) if high > low else float("nan")}
    return {**rows, **by_background}


def _table(title, runs):
    import numpy as np

    labels = list(next(iter(runs.values())))
    header = "| | " + " | ".join(f"seed {seed}" for seed in runs) + " | mean +- std | seconds per run |"
    lines = [title, "", header, "|---" * (len(runs) + 3) + "|"]
    for label in labels:
        values = [run[label]["accuracy"] for run in runs.values()]
        seconds = [run[label].get("seconds") for run in runs.values()]
        timing = f"{np.mean(seconds):.0f}" if None not in seconds else ""
        lines.append(
            f"| {label} | " + " | ".join(f"{v:.3f}" for v in values) + f" | {np.mean(values):.3f} +- {np.std(values):.3f} | {timing} |"
        )
    return lines + [""]


def main(argv):
    del argv
    os.makedirs(os.path.dirname(FLAGS.output), exist_ok=True)
    seeds = [int(s) for s in FLAGS.seeds]
    results, lines = {}, []
    if "moons" in FLAGS.parts:
        picture = os.path.join(os.path.dirname(FLAGS.output), "dann_moons.png")
        results["moons"] = {seed: moons(seed, picture if i == 0 else None) for i, seed in enumerate(seeds)}
        lines += _table(
            f"moons -> moons_rotated (30 degrees), target accuracy on a fresh test draw; {FLAGS.moons_epochs} epochs "
            f"of 100 points per domain in batches of {FLAGS.moons_batch_size // 2} + {FLAGS.moons_batch_size // 2}, the "
            f"paper's SGD(0.01, momentum 0.9) and schedules, reversal strength up to {FLAGS.moons_strength:g}.",
            results["moons"],
        )
    if "digits" in FLAGS.parts:
        results["digits"] = {seed: digits(seed) for seed in seeds}
        lines += _table(
            f"digits -> digits_m (32x32 RGB), accuracy on the digits_m test split; {FLAGS.digits_epochs} epochs "
            f"= {44 * FLAGS.digits_epochs} steps of 32 + 32, the paper's SGD and schedules, reversal strength up to "
            f"{FLAGS.digits_strength:g}, random inversion {FLAGS.digits_random_invert:g}, dropout {FLAGS.digits_dropout:g}. "
            "\"gap closed\" = (DANN - source only) / (train on target - source only).",
            results["digits"],
        )
    with open(FLAGS.output, "w") as handle:
        handle.write("\n".join(lines))
    with open(FLAGS.output.replace(".md", ".json"), "w") as handle:
        json.dump(results, handle, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
