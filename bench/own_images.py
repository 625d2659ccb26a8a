"""DCGAN on a few hundred images of your own: which settings give varied samples in a few CPU minutes?

    python bench/own_images.py --readme=''              # every configuration at seed 0 (README untouched)
    python bench/own_images.py --configs=default,recipe --seeds=0,1,2
    python bench/own_images.py --trajectories=default,recipe,digits

The data stands in for "a folder of your own photos": `make_crop_folder` cuts 200 random 64x64
crops of the packaged training photos (kerasgan.data.photos, the MNIST-M backgrounds) into
<folder>/train/ and 200 of the test photos (other photos than the training ones) into
<folder>/test/, the train/test layout of an image folder (kerasgan/data/folder_split.py).

Each configuration is a list of `kerasgan train` flags, run through the real command at
--image_size=32 (the 64x64 crops resized by the folder loader), timed in wall minutes, then
scored:

- FID: `kerasgan evaluate --split=test --num_images=200`: 200 generated images against the 200
  held-out test crops, both 32x32 and upsampled to 299x299 for the Inception network as kerasgan
  does. With 200 images a side FID is biased upward (by hundreds of points against
  10,000-image FIDs, and more for low-diversity sets), so compare the numbers with each other and with
  the real-against-real floor in the results ("reference": 200 train crops against the 200 test
  crops), not with published FIDs. The train and test crops come from different photos.
- diversity ratio: kerasgan.guards.diversity of 128 fixed-seed samples over that of 128 test
  crops (about 0 when every sample is the same, about 1 like real data).

Results go to --results (one entry per configuration and seed; an entry already there is
skipped, so an interrupted bench resumes; a finished run folder is scored again without
retraining). --trajectories instead trains in-process and saves 128 fixed-seed samples every
--trajectory_every steps to <scratch>/trajectory_<name>.npz, for calibrating a mode-collapse
detector. The timings were measured on a 2-core CPU shared with other jobs.
"""
import json
import os
import shutil
import subprocess
import sys
import time

import sections  # bench/sections.py
from absl import app, flags

FLAGS = flags.FLAGS


def define_flags():
    """The script's flags, defined when it runs (so that tests can import its functions beside other benches')."""
    flags.DEFINE_string("folder", "/tmp/kerasgan_photo_crops", "Crop folder (train/ and test/), made when missing.")
    flags.DEFINE_list("configs", None, "Configurations to run (names of CONFIGS); default: every one.")
    flags.DEFINE_list("seeds", ["0"], "Training seeds of each configuration.")
    flags.DEFINE_string("scratch", "/tmp/own_images", "Run folders, SavedModels and trajectories.")
    flags.DEFINE_string("results", "bench/results/own_images.json", "Results JSON (resumable).")
    flags.DEFINE_string("recipe", "recipe", "The configuration whose samples go to own_images_samples.png.")
    flags.DEFINE_list("trajectories", None, "Save sample trajectories of these TRAJECTORIES instead of benchmarking.")
    flags.DEFINE_integer("trajectory_every", 25, "Steps between saved samples of a trajectory.")
    flags.DEFINE_string("trajectory", None, "Internal: the one trajectory this process trains.")
    flags.DEFINE_string("readme", "README.md", "Where the own-images table goes (between its markers); '' for nowhere.")


IMAGE_SIZE = 32
NUM_FID_IMAGES = 200
NUM_DIVERSITY = 128
# The user's failing command: every other flag at its default (batch 64, Adam(2e-4, 0.5), filters 64, z of 100).
DEFAULT = ["--model=dcgan", f"--image_size={IMAGE_SIZE}", "--epochs=100"]
RECIPE_FILE = "zoo/dcgan_own_images.flags"
QUIET = ["--sample_every=20"]  # one grid PNG per epoch is a real cost when an epoch is 3 steps
CONFIGS = {
    "default": DEFAULT,
    # Screening at seed 0: one change at a time from the default.
    "more_steps": DEFAULT[:-1] + ["--epochs=300"] + QUIET,
    "batch16": DEFAULT + ["--batch_size=16"] + QUIET,
    "lr_low": DEFAULT[:-1] + ["--epochs=300", "--generator_learning_rate=1e-4", "--discriminator_learning_rate=5e-5"] + QUIET,
    "smooth": DEFAULT[:-1] + ["--epochs=300", "--label_smoothing=0.2"] + QUIET,
    "noise": DEFAULT[:-1] + ["--epochs=300", "--instance_noise=0.1"] + QUIET,
    "sn": DEFAULT[:-1] + ["--epochs=300", "--spectral_norm"] + QUIET,
    "r1_10": DEFAULT[:-1] + ["--epochs=300", "--penalty=r1", "--penalty_weight=10"] + QUIET,
    "r1_1": DEFAULT[:-1] + ["--epochs=300", "--penalty=r1", "--penalty_weight=1"] + QUIET,
    "filters32": DEFAULT[:-1] + ["--epochs=300", "--filters=32"] + QUIET,
    "wgan_gp": ["--model=wgan", f"--image_size={IMAGE_SIZE}", "--epochs=100", "--penalty=gp"] + QUIET,
    # The user's second attempt: batch 16, filters 32, 960 steps.
    "b16_f32": DEFAULT[:-1] + ["--epochs=80", "--batch_size=16", "--filters=32"] + QUIET,
    # Longer runs at the cheaper small batches, with and without R1.
    "b16_long": DEFAULT[:-1] + ["--epochs=300", "--batch_size=16"] + QUIET,
    "b16_r1_10": DEFAULT[:-1] + ["--epochs=200", "--batch_size=16", "--penalty=r1", "--penalty_weight=10"] + QUIET,
    "b16_r1_1": DEFAULT[:-1] + ["--epochs=200", "--batch_size=16", "--penalty=r1", "--penalty_weight=1"] + QUIET,
    "b32_r1_10": DEFAULT[:-1] + ["--epochs=300", "--batch_size=32", "--penalty=r1", "--penalty_weight=10"] + QUIET,
    "b16_r1_1_long": DEFAULT[:-1] + ["--epochs=300", "--batch_size=16", "--penalty=r1", "--penalty_weight=1"] + QUIET,
    "b16_r1_01": DEFAULT[:-1] + ["--epochs=200", "--batch_size=16", "--penalty=r1", "--penalty_weight=0.1"] + QUIET,
    "b16_r1_1_lr": DEFAULT[:-1] + ["--epochs=300", "--batch_size=16", "--penalty=r1", "--penalty_weight=1",
                                   "--generator_learning_rate=1e-4", "--discriminator_learning_rate=1e-4"] + QUIET,
    "b16_sn": DEFAULT[:-1] + ["--epochs=200", "--batch_size=16", "--spectral_norm"] + QUIET,
    # The recipe the README recommends, as a user runs it.
    "recipe": [f"--flagfile={RECIPE_FILE}"],
}
# Trajectories: (flags without --dataset, the dataset or None for the crop folder).
TRAJECTORIES = {
    "default": (DEFAULT, None),
    "recipe": ([f"--flagfile={RECIPE_FILE}"], None),
    "digits": (["--flagfile=zoo/dcgan_digits.flags", "--epochs=40"], "digits"),
    # The user's second attempt (batch 16, filters 32, 960 steps): a partial collapse to a few modes.
    "b16_f32": (CONFIGS["b16_f32"], None),
}


def make_crop_folder(path, num_train=200, num_test=200, size=64, seed=0):
    """Writes random size x size PNG crops of the packaged photos: `num_train` of photos("train") into
    path/train/ and `num_test` of photos("test") into path/test/ (crop_NNNN.png), each at a random photo
    and position drawn with numpy's Generator(seed). An existing folder is reused when it holds exactly
    those files, and refused (ValueError) when it holds anything else: nothing is overwritten."""
    import numpy as np
    from PIL import Image

    from kerasgan.data.photos import photos

    counts = {"train": num_train, "test": num_test}
    expected = {split: [f"crop_{i:04d}.png" for i in range(count)] for split, count in counts.items()}
    if os.path.isdir(path) and os.listdir(path):
        found = {entry: sorted(os.listdir(os.path.join(path, entry))) if os.path.isdir(os.path.join(path, entry)) else None
                 for entry in os.listdir(path)}
        if found == expected:
            return path
        raise ValueError(
            f"{path} exists and is not a crop folder of {num_train} train and {num_test} test crops: "
            "choose another --folder (nothing was written)"
        )
    rng = np.random.default_rng(seed)
    for split in counts:
        arrays, _ = photos(split)
        os.makedirs(os.path.join(path, split), exist_ok=True)
        for name in expected[split]:
            photo = arrays[rng.integers(len(arrays))]
            top = rng.integers(photo.shape[0] - size + 1)
            left = rng.integers(photo.shape[1] - size + 1)
            Image.fromarray(photo[top:top + size, left:left + size]).save(os.path.join(path, split, name))
    return path


def _command():
    return os.path.join(os.path.dirname(sys.executable), "kerasgan")


def _children_cpu_seconds():
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load(path):
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    return {}


def _save(results, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    staged = path + ".tmp"
    with open(staged, "w") as handle:
        json.dump(results, handle, indent=1)
    os.replace(staged, path)


def _real_crops(folder, count=NUM_DIVERSITY):
    from kerasgan import data

    return data.examples(folder, "test", count, image_size=IMAGE_SIZE)[0]


def diversity_ratio(samples, real):
    from kerasgan import guards

    return guards.diversity(samples) / guards.diversity(real)


def reference(folder):
    """Real against real: 200 train crops against the 200 test crops (the FID floor of this protocol)."""
    from kerasgan import data, evaluation, guards

    scores = evaluation.reference_scores(folder, "test", num_images=NUM_FID_IMAGES, image_size=IMAGE_SIZE)
    train = data.examples(folder, "train", NUM_DIVERSITY, image_size=IMAGE_SIZE)[0]
    scores["diversity_ratio"] = diversity_ratio(train, _real_crops(folder))
    scores["test_diversity"] = guards.diversity(_real_crops(folder))
    return scores


def run_config(name, config_flags, seed, folder):
    """Trains one configuration through `kerasgan train`, evaluates it; returns its results entry."""
    import keras
    import numpy as np

    from kerasgan import saving

    run = os.path.join(FLAGS.scratch, "runs", f"{name}_seed{seed}")
    timing = os.path.join(run, "wall_seconds.json")
    if not os.path.exists(os.path.join(run, "model.keras")):
        if os.path.isdir(run):
            shutil.rmtree(run)  # an interrupted run of this script: train it anew, so the timing is whole
        start, load_before, cpu_before = time.time(), os.getloadavg()[1], _children_cpu_seconds()
        subprocess.run(
            [_command(), "train", *config_flags, f"--dataset={folder}", f"--seed={seed}", f"--output_dir={run}"],
            check=True,
        )
        with open(timing, "w") as handle:
            # The 5-minute load average before and after: other jobs on the machine slow the run down.
            # and the CPU seconds the run used (user + system), which they do not change much.
            json.dump({"seconds": time.time() - start, "load_average": [load_before, os.getloadavg()[1]],
                       "cpu_seconds": _children_cpu_seconds() - cpu_before}, handle)
    scores_path = os.path.join(run, "evaluate.json")
    if not os.path.exists(scores_path):
        subprocess.run(
            [_command(), "evaluate", f"--model_path={os.path.join(run, 'model.keras')}", f"--dataset={folder}",
             "--split=test", f"--num_images={NUM_FID_IMAGES}", f"--output={scores_path}"],
            check=True,
        )
    with open(scores_path) as handle:
        scores = json.load(handle)
    with open(os.path.join(run, "history.json")) as handle:
        history = json.load(handle)
    model = saving.load_model(os.path.join(run, "model.keras"))
    samples = model.generate(NUM_DIVERSITY, seed=0)
    steps = int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations))
    with open(timing) as handle:
        timed = json.load(handle)
    keras.backend.clear_session()
    return {
        "flags": config_flags,
        "seed": seed,
        "steps": steps,
        "minutes": round(timed["seconds"] / 60, 2),
        "load_average": timed.get("load_average"),
        "cpu_minutes": round(timed["cpu_seconds"] / 60, 2) if "cpu_seconds" in timed else None,
        "fid": scores["fid"],
        "kid": scores["kid"],
        "precision": scores.get("precision"),
        "recall": scores.get("recall"),
        "diversity_ratio": diversity_ratio(samples, _real_crops(folder)),
        "sample_std_over_batch": float(np.std(samples, axis=0).mean()),
        "final_d_loss": history["d_loss"][-1],
        "final_g_loss": history["g_loss"][-1],
        "run": run,
    }


def benchmark(folder):
    results = _load(FLAGS.results)
    if "reference" not in results:
        results["reference"] = {
            "protocol": f"{NUM_FID_IMAGES} generated (seed 0) against the {NUM_FID_IMAGES} test crops, {IMAGE_SIZE}x{IMAGE_SIZE} "
                        "upsampled to 299x299 for Inception (kerasgan evaluate); diversity ratio of "
                        f"{NUM_DIVERSITY} samples over {NUM_DIVERSITY} test crops. Real against real below: "
                        f"{NUM_FID_IMAGES} train crops against the test crops.",
            **reference(folder),
        }
        _save(results, FLAGS.results)
    names = FLAGS.configs or list(CONFIGS)
    for name in names:
        for seed in (int(s) for s in FLAGS.seeds):
            key = f"{name}/seed_{seed}"
            if key in results:
                continue
            entry = run_config(name, CONFIGS[name], seed, folder)
            results = _load(FLAGS.results)
            results[key] = entry
            _save(results, FLAGS.results)
            print(f"{key}: {json.dumps({k: v for k, v in entry.items() if k != 'flags'})}", flush=True)
    for name, picture in ((FLAGS.recipe, "own_images_samples.png"), ("default", "own_images_default.png")):
        grid = os.path.join(FLAGS.scratch, "runs", f"{name}_seed0", "samples.png")
        if os.path.exists(grid):
            shutil.copyfile(grid, os.path.join(os.path.dirname(FLAGS.results), picture))
    if FLAGS.readme:
        sections.replace_section(FLAGS.readme, readme_table(results), README_BEGIN, README_END)


README_BEGIN, README_END = "<!-- own-images table: written by bench/own_images.py -->", "<!-- end of own-images table -->"
README_ROWS = (
    ("default", "the defaults (`--model=dcgan --image_size=32 --epochs=100`: batch 64)"),
    ("recipe", "`--flagfile=zoo/dcgan_own_images.flags` (batch 16, R1 penalty 1, 200 epochs)"),
)


def _mean_std(values, digits):
    import numpy as np

    if len(values) == 1:
        return f"{values[0]:,.{digits}f}"
    return f"{np.mean(values):,.{digits}f} +- {np.std(values):,.{digits}f}"


def readme_table(results):
    """The README's own-images table from the results: each row's mean +- std over its seeds, and the real floor."""
    lines = [
        README_BEGIN,
        "| settings | seeds | generator steps | minutes | FID | diversity |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in README_ROWS:
        runs = [entry for key, entry in results.items() if key.split("/")[0] == name]
        if not runs:
            continue
        seeds = ", ".join(str(entry["seed"]) for entry in runs)
        cells = [_mean_std([entry[field] for entry in runs], digits)
                 for field, digits in (("steps", 0), ("minutes", 1), ("fid", 0), ("diversity_ratio", 2))]
        lines.append(f"| {label} | {seeds} | " + " | ".join(cells) + " |")
    real = results.get("reference")
    if real:
        lines.append(f"| real photos: the 200 training crops | | | | {real['fid']:,.0f} | {real['diversity_ratio']:.2f} |")
    lines += [
        "",
        f"FID: {NUM_FID_IMAGES} samples against the folder's {NUM_FID_IMAGES} test crops (`kerasgan evaluate`; "
        "with so few images FID runs high, so compare rows with each other and with real photos' row). Diversity: "
        f"the mean distance between {NUM_DIVERSITY} samples over that between {NUM_DIVERSITY} test crops (about 1 "
        "for real photos; below 0.3 the samples look alike). Minutes: wall time of `kerasgan train` on 2 CPU "
        "cores. Made by `make bench-own-images`.",
        README_END,
    ]
    return "\n".join(lines)


def trajectory(name, folder):
    """Trains TRAJECTORIES[name] in this process, saving 128 fixed-seed samples every --trajectory_every steps."""
    import keras
    import numpy as np

    from kerasgan import cli, data

    config_flags, dataset_name = TRAJECTORIES[name]
    dataset_name = dataset_name or folder
    cli.parse_flags(["kerasgan", *config_flags, f"--dataset={dataset_name}"])
    keras.utils.set_random_seed(cli.FLAGS.seed)
    dataset, steps, model = cli.model_and_data()
    model.compile(
        generator_optimizer=cli._optimizer(cli.FLAGS.generator_learning_rate, model.default_generator_optimizer),
        discriminator_optimizer=cli._optimizer(cli.FLAGS.discriminator_learning_rate, model.default_discriminator_optimizer),
    )
    real = data.examples(dataset_name, "test", NUM_DIVERSITY, image_size=IMAGE_SIZE)[0]
    every = FLAGS.trajectory_every
    saved = {}

    class Trajectory(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.step = 0

        def on_train_begin(self, logs=None):
            saved[0] = self.model.generate(NUM_DIVERSITY, seed=0)

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            if self.step % every == 0:
                saved[self.step] = self.model.generate(NUM_DIVERSITY, seed=0)

        def on_train_end(self, logs=None):
            if self.step not in saved:  # the last step, when the run's length is not a multiple of `every`
                saved[self.step] = self.model.generate(NUM_DIVERSITY, seed=0)

    start = time.time()
    model.fit(dataset, steps_per_epoch=steps, epochs=cli.FLAGS.epochs, callbacks=[Trajectory()], verbose=0)
    seconds = time.time() - start
    order = sorted(saved)
    ratios = np.array([diversity_ratio(saved[step], real) for step in order])
    path = os.path.join(FLAGS.scratch, f"trajectory_{name}.npz")
    staged = os.path.join(FLAGS.scratch, f".trajectory_{name}.tmp.npz")  # renamed into place: never half-written
    np.savez_compressed(
        staged, real=real, steps=np.array(order), diversity_ratio=ratios,
        flags=np.array(config_flags + [f"--dataset={dataset_name}"]),
        **{f"samples_{step}": saved[step].astype(np.float32) for step in order},
    )
    os.replace(staged, path)
    print(f"{path}: {len(order)} snapshots up to step {order[-1]} in {seconds / 60:.1f} min; diversity ratio "
          f"{ratios[0]:.3f} at step 0, {ratios[len(ratios) // 2]:.3f} mid-way, {ratios[-1]:.3f} at the end", flush=True)


def main(argv):
    del argv
    os.makedirs(FLAGS.scratch, exist_ok=True)
    folder = make_crop_folder(FLAGS.folder)
    if FLAGS.trajectory:
        trajectory(FLAGS.trajectory, folder)
    elif FLAGS.trajectories:
        for name in FLAGS.trajectories:  # one process each: the parsed kerasgan flags do not carry over
            subprocess.run([sys.executable, __file__, f"--trajectory={name}", f"--folder={folder}",
                            f"--scratch={FLAGS.scratch}", f"--trajectory_every={FLAGS.trajectory_every}"], check=True)
    else:
        benchmark(folder)


if __name__ == "__main__":
    define_flags()
    app.run(main)
