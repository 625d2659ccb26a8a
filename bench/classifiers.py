"""Test accuracy of the judge classifiers (kerasgan.metrics.digits_classifier) trained from scratch.

These CNNs score CGAN label accuracy and CycleGAN label preservation, and on MNIST-M they are the
"train on target" bound of DANN (docs/protocols.md sections 2-4). Each is trained into a temporary
folder, so the user's cache is left alone. Writes bench/results/classifiers.json.
"""
import json
import os
import tempfile
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_list("datasets", ["mnist", "mnist_m"], "Digit sets whose classifier to train.")
flags.DEFINE_string("results", os.path.join(os.path.dirname(__file__), "results"), "Where the JSON goes.")


def main(argv):
    del argv
    from kerasgan.metrics import classifier, label_accuracy

    results = {}
    for dataset in FLAGS.datasets:
        with tempfile.TemporaryDirectory() as cache:
            started = time.perf_counter()
            model = classifier.digits_classifier(cache_dir=cache, dataset=dataset)
            seconds = time.perf_counter() - started
        size = model.input_shape[1]
        accuracy = label_accuracy(model, *classifier.digits_arrays("test", size, dataset))
        results[dataset] = {
            "test_accuracy": accuracy,
            "target": classifier.MIN_ACCURACY[dataset],
            "image_size": size,
            "epochs": classifier.EPOCHS[dataset],
            "train_seconds": round(seconds, 1),
            "command": f"python bench/classifiers.py --datasets={dataset}",
        }
        print(f"{dataset}: test accuracy {accuracy:.4f} (target {classifier.MIN_ACCURACY[dataset]}), {seconds:.0f} s", flush=True)
    path = os.path.join(FLAGS.results, "classifiers.json")
    previous = json.load(open(path)) if os.path.exists(path) else {}
    with open(path + ".tmp", "w") as handle:
        json.dump({**previous, **results}, handle, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    app.run(main)
