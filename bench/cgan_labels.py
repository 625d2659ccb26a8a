"""CGAN label accuracy on digits (docs/protocols.md section 3): does the sample show the digit asked for?

    python bench/cgan_labels.py --seeds=0,1,2

For each seed, trains zoo/cgan_digits.flags through the CLI (skipped when the run's
model.keras exists, so an interrupted bench resumes), draws 100 samples per class and
scores them with kerasgan.metrics.digits_classifier (>= 97% held-out accuracy). Writes a
Markdown table to --output.
"""
import os
import subprocess
import sys

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_list("seeds", ["0", "1", "2"], "Training seeds.")
flags.DEFINE_string("runs", "runs/bench/cgan_digits", "Folder of the per-seed runs.")
flags.DEFINE_integer("per_class", 100, "Samples drawn per label.")
flags.DEFINE_string("output", "bench/results/cgan_labels.md", "Markdown table.")


def main(argv):
    del argv
    import keras
    import numpy as np

    import kerasgan.zoo  # noqa: F401
    from kerasgan import metrics

    command = os.path.join(os.path.dirname(sys.executable), "kerasgan")
    classifier = metrics.digits_classifier(image_size=32)
    rows = []
    for seed in (int(s) for s in FLAGS.seeds):
        run = os.path.join(FLAGS.runs, f"seed_{seed}")
        if not os.path.exists(os.path.join(run, "model.keras")):
            subprocess.run(
                [command, "train", "--flagfile=zoo/cgan_digits.flags", f"--seed={seed}", f"--output_dir={run}",
                 f"--export_dir={os.path.join(FLAGS.runs, 'saved_models')}"],
                check=True,
            )
        model = keras.models.load_model(os.path.join(run, "model.keras"))
        labels = np.repeat(np.arange(model.num_classes), FLAGS.per_class)
        images = model.generate(len(labels), seed=seed, labels=labels)
        rows.append((seed, metrics.label_accuracy(classifier, images, labels)))
        print(f"seed {seed}: label accuracy {rows[-1][1]:.3f}", flush=True)
    accuracies = [accuracy for _, accuracy in rows]
    lines = [
        "| seed | label accuracy |",
        "|---|---|",
        *[f"| {seed} | {accuracy:.3f} |" for seed, accuracy in rows],
        f"| mean +- std | {np.mean(accuracies):.3f} +- {np.std(accuracies):.3f} |",
    ]
    os.makedirs(os.path.dirname(FLAGS.output), exist_ok=True)
    with open(FLAGS.output, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
