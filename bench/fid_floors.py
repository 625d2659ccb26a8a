"""FID floors of the real datasets and the speed of the FID network (docs/protocols.md sections 3 and 6).

For each dataset, the Inception FID, KID, precision and recall of `--num_images` train images against
as many test images (Lucic et al. 2018's sample count), the floor a model's FID is read against, and
the images per second of feature extraction on this machine, both with the FID network in its default
precision (bfloat16, kerasgan.metrics.fid_inception; "inception_dtype" in the result). A dataset
whose result file exists is skipped, so `make bench-fid` resumes where it stopped. Writes
bench/results/fid_floor_<dataset>.json and the "FID floors" section of BENCHMARKS.md.
"""
import json
import os
import time

from absl import app, flags
from sections import replace_section

FLAGS = flags.FLAGS
flags.DEFINE_list("datasets", ["mnist", "fashion_mnist", "mnist_m"], "Datasets to score.")
flags.DEFINE_integer("num_images", 10_000, "Images per side (train and test).")
flags.DEFINE_string("results", os.path.join(os.path.dirname(__file__), "results"), "Where the JSON results go.")
flags.DEFINE_string("benchmarks", os.path.join(os.path.dirname(__file__), "..", "BENCHMARKS.md"), "The file to update.")

BEGIN = "<!-- fid-floors:begin (written by bench/fid_floors.py) -->"
END = "<!-- fid-floors:end -->"
SPEED_IMAGES = 1000


def score(dataset):
    """Real-vs-real scores of `dataset` (evaluation.reference_scores, whose real features `kerasgan evaluate`
    then reuses from the cache) and the extraction speed, timed on 1,000 test images extracted afresh."""
    from kerasgan import data, evaluation, metrics
    from kerasgan.metrics.inception import DEFAULT_PRECISION

    floor = evaluation.reference_scores(dataset, num_images=FLAGS.num_images)
    timed = data.examples(dataset, "test", SPEED_IMAGES)[0]
    metrics.extract_features(timed[:50], "inception")  # builds and traces the network: not part of the timing
    started = time.perf_counter()
    metrics.extract_features(timed, "inception")
    seconds = time.perf_counter() - started
    return {
        "dataset": dataset,
        "images": floor["examples"],
        "image_shape": list(timed.shape[1:]),
        "fid": floor["fid"],
        "kid": floor["kid"],
        "kid_std": floor["kid_std"],
        "precision": floor["precision"],
        "recall": floor["recall"],
        "images_per_second": len(timed) / seconds,
        "inception_dtype": DEFAULT_PRECISION,
        "command": f"python bench/fid_floors.py --datasets={dataset} --num_images={FLAGS.num_images}",
    }


def table(results):
    lines = [
        BEGIN,
        "## FID floors",
        "",
        "Inception FID (pool_3 of the TF `inception-2015-12-05` graph, bilinear resize to 299) and KID of the first",
        "N train images against the first N test images: what a perfect model scores under the default protocol",
        "of `kerasgan evaluate` (N = 10,000 samples against the test split), in the network's precision (bfloat16,",
        "the default since it measured within 0.5 % of float32's FID; float32 before). Extraction speed: images per",
        "second through the FID network on this 2-core CPU machine (1,000 test images, batch 50, nothing else running).",
        "Written by `make bench-fid` (`bench/fid_floors.py`).",
        "",
        "| dataset | N | image | Inception dtype | FID train vs test | KID | precision / recall | extraction, images/s "
        "| 10,000 images take |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        shape = "x".join(str(each) for each in result["image_shape"])
        lines.append(
            f"| {result['dataset']} | {result['images']:,} | {shape} | {result.get('inception_dtype', 'float32')} | {result['fid']:.2f} | "
            f"{result['kid'] * 1000:.2f}e-3 +- {result['kid_std'] * 1000:.2f}e-3 | "
            f"{result['precision']:.3f} / {result['recall']:.3f} | {result['images_per_second']:.1f} | "
            f"{10_000 / result['images_per_second'] / 60:.1f} min |"
        )
    lines += [""] + [f"- {result['dataset']}: `{result['command']}`" for result in results] + [END]
    return "\n".join(lines)


def main(argv):
    del argv
    os.makedirs(FLAGS.results, exist_ok=True)
    results = []
    for dataset in FLAGS.datasets:
        path = os.path.join(FLAGS.results, f"fid_floor_{dataset}.json")
        if not os.path.exists(path):
            result = score(dataset)
            with open(path + ".tmp", "w") as handle:
                json.dump(result, handle, indent=1)
            os.replace(path + ".tmp", path)
            print(f"{dataset}: FID {result['fid']:.3f}, {result['images_per_second']:.1f} images/s", flush=True)
        with open(path) as handle:
            results.append(json.load(handle))
    replace_section(FLAGS.benchmarks, table(results), BEGIN, END)


if __name__ == "__main__":
    app.run(main)
