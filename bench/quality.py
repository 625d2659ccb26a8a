"""The quality benchmark (docs/protocols.md sections 1-4): the zoo's recipes trained per seed and scored.

    python bench/quality.py                                   # every row and its seeds (make bench-quality): hours
    python bench/quality.py --models=gan_grid25,ensemble_gan_grid25 --seeds=0,1
    python bench/quality.py --models=                         # only rewrite BENCHMARKS.md from the results
    python bench/quality.py --models=ensemble_gan_grid25 --seeds=0 --rescore   # score a finished row again

Each (row, seed) trains with `kerasgan train --flagfile=zoo/<recipe>.flags --seed=<s> ...` into
runs/quality/<row>/seed_<s>/ and is scored by `kerasgan.evaluation.evaluate` (what `kerasgan
evaluate` prints) into bench/results/quality/<row>_seed<s>.json, written when the row is done:
an interrupted benchmark resumes at the first unfinished row; a run folder holding model.keras
is scored without training again, a half-trained one resumes from its newest checkpoint. Floors come from
`evaluation.reference_scores` (real data scored as a model would be). Writes the "## Sample quality"
section of BENCHMARKS.md and docs/quality_<mixture>.png.
"""
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time

from absl import app, flags

FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- quality:begin (written by bench/quality.py) -->", "<!-- quality:end -->"


@dataclasses.dataclass
class Row:
    protocol: str  # a key of PROTOCOLS below
    recipe: str  # zoo/<recipe>.flags
    extra: tuple = ()  # flags added to the recipe's
    scored_on: str = None  # the dataset evaluate scores on; default the recipe's --dataset
    label: str = ""  # what the table calls the row
    anchor: str = None  # the published row it is set beside (Lucic et al. 2018's model of the same loss)
    seeds: int = 3  # seeds 0 .. seeds - 1 unless --seeds says otherwise
    page: str = None  # the model page in docs/models/ that shows the row and seed 0's samples


MIXTURE_SCORING = ("--quality_every=1", "--quality_images=2500")  # modes and %HQ after every epoch
ROWS = {
    # Section 1: every option that trains the MLP GAN, on both mixtures, scored after each epoch.
    "gan_grid25": Row("grid25", "gan_grid25", MIXTURE_SCORING, label="GAN (non-saturating)"),
    "wgan_gp_grid25": Row("grid25", "wgan_gp_grid25", MIXTURE_SCORING, label="WGAN-GP"),
    "unrolled_gan_grid25": Row("grid25", "unrolled_gan_grid25", MIXTURE_SCORING, label="unrolled GAN"),
    "ensemble_gan_grid25": Row("grid25", "ensemble_gan_grid25", MIXTURE_SCORING, label="discriminator ensemble"),
    "ensemble_gan_grid25_noise05": Row(
        "grid25", "ensemble_gan_grid25", ("--max_noise=0.5",) + MIXTURE_SCORING, label="discriminator ensemble, max noise 0.5"
    ),
    "gan_ring8": Row("ring8", "gan_grid25", ("--dataset=ring8",) + MIXTURE_SCORING, label="GAN (non-saturating)"),
    "wgan_gp_ring8": Row(  # measured before the grid25 recipe took the authors' toy setup: that row's flags
        "ring8", "wgan_gp_grid25",
        ("--dataset=ring8", "--latent_dim=64", "--nosplit_real_batch", "--data_scale=1", "--batch_size=256",
         "--num_samples=100000", "--epochs=13") + MIXTURE_SCORING,
        label="WGAN-GP",
    ),
    "unrolled_gan_ring8": Row("ring8", "unrolled_gan_grid25", ("--dataset=ring8",) + MIXTURE_SCORING, label="unrolled GAN"),
    "ensemble_gan_ring8": Row(
        "ring8", "ensemble_gan_grid25", ("--dataset=ring8",) + MIXTURE_SCORING, label="discriminator ensemble"
    ),
    # PacGAN's networks and budget with packs of 1 (GAN), 2 and 4 (zoo/pacgan_grid25.flags), 5 seeds each.
    **{
        f"pacgan{pack}_{mixture}": Row(
            mixture, "pacgan_grid25", (f"--pack={pack}", f"--dataset={mixture}") + MIXTURE_SCORING,
            label=f"PacGAN's networks, pack {pack}" + (" (GAN)" if pack == 1 else ""), seeds=5,
        )
        for mixture in ("grid25", "ring8") for pack in (1, 2, 4)
    },
    # Section 3: trained on the train split, scored against the 360 held-out digits.
    "dcgan_digits": Row("digits", "dcgan_digits", ("--split=train",), label="DCGAN"),
    "wgan_gp_digits": Row("digits", "wgan_gp_digits", ("--split=train",), label="WGAN-GP"),
    "wgan_clip_digits": Row("digits", "wgan_clip_digits", ("--split=train",), label="WGAN (clipping)"),
    "ebgan_digits": Row("digits", "ebgan_digits", ("--split=train",), label="EBGAN"),
    "cgan_digits": Row("digits", "cgan_digits", ("--split=train",), label="CGAN"),
    # Section 2: DANN against its source-only twin and the train-on-target upper bound.
    "dann_moons": Row("moons", "dann_moons", scored_on="moons_rotated", label="DANN", seeds=5),
    "dann_moons_source_only": Row("moons", "dann_moons", ("--noadaptation",), "moons_rotated", "source only", seeds=5),
    "dann_digits_m": Row("digits_m", "dann_digits_m", scored_on="digits_m", label="DANN"),
    "dann_digits_m_source_only": Row("digits_m", "dann_digits_m", ("--noadaptation",), "digits_m", "source only"),
    "dann_digits_m_on_target": Row(
        "digits_m", "dann_digits_m", ("--dataset=digits_m", "--noadaptation"), "digits_m", "train on target (upper bound)"
    ),
    # Section 2 on MNIST -> MNIST-M: Ganin et al.'s setup, its baselines, and the recipe with the digits' two changes.
    "dann_mnist_m": Row("mnist_m", "dann_mnist_m", scored_on="mnist_m", label="DANN, the paper's setup"),
    "dann_mnist_m_source_only": Row("mnist_m", "dann_mnist_m", ("--noadaptation",), "mnist_m", "source only"),
    "dann_mnist_m_on_target": Row(
        "mnist_m", "dann_mnist_m", ("--dataset=mnist_m", "--noadaptation"), "mnist_m", "train on target (upper bound)"
    ),
    "dann_mnist_m_sturdy": Row(
        "mnist_m", "dann_mnist_m_sturdy", scored_on="mnist_m", label="DANN, random inversion and dropout"
    ),
    # Section 4.
    # Section 4: Pix2Pix beside the same U-Net trained on L1 alone (Isola et al.'s "L1" ablation, their Table 1).
    **{
        row: Row(task, f"pix2pix_{task}", extra, label=label)
        for task in ("colorization", "edges2photos")
        for row, extra, label in (
            (f"pix2pix_{task}", (), "Pix2Pix"),
            (f"pix2pix_{task}_l1", ("--adversarial_weight=0",), "the U-Net on L1 alone"),
        )
    },
    # Section 4: the context encoder beside its reconstruction-only twin (Pathak et al.'s "L2 loss" model); both
    # scored with mean-fill beside them.
    "context_encoder_fashion_mnist": Row("inpainting", "context_encoder_fashion_mnist", label="context encoder (L2 + adversarial)"),
    "context_encoder_fashion_mnist_l2": Row(
        "inpainting", "context_encoder_fashion_mnist", ("--adversarial_weight=0",), label="the same network on L2 alone"
    ),
    # Section 4: SRGAN beside SRResNet (its generator on pixels alone) and bicubic upscaling.
    "gan_int_cls_mnist": Row("mnist_captions", "gan_int_cls_mnist", label="GAN-INT-CLS", page="gan_int_cls"),
    "gan_int_cls_fashion_mnist": Row("fashion_mnist_captions", "gan_int_cls_fashion_mnist", label="GAN-INT-CLS", page="gan_int_cls"),
    "srresnet_photos": Row("super_resolution", "srresnet_photos", label="SRResNet (pixel MSE)"),
    "srresnet_photos_no_skip": Row(
        "super_resolution", "srresnet_photos", ("--nobilinear_skip",), label="SRResNet without the bilinear skip (the paper's G)"
    ),
    "srgan_photos": Row("super_resolution", "srgan_photos", label="SRGAN (Inception content + adversarial)"),
    "cyclegan_digits_m": Row("digits2digits_m", "cyclegan_digits_m", label="CycleGAN"),
    "cyclegan_mnist_m": Row("mnist2mnist_m", "cyclegan_mnist_m", label="CycleGAN"),
}
# MNIST and Fashion-MNIST at Lucic et al. 2018's budget: batch 64, z of 64, 15,625 generator updates.
LUCIC_BUDGET = ("--batch_size=64", "--latent_dim=64", "--steps_per_epoch=625", "--epochs=25")
REAL_IMAGE_MODELS = {  # recipe prefix: (label, Lucic et al. 2018's model of the same loss, its page in docs/models/)
    "dcgan": ("DCGAN (non-saturating)", "NS GAN", "dcgan"),
    "lsgan": ("least squares", "LSGAN", "dcgan"),
    "wgan_gp": ("WGAN-GP", "WGAN GP", "wgan"),
    "wgan_clip": ("WGAN (clipping)", "WGAN", "wgan"),
    "ebgan": ("EBGAN", "BEGAN", "ebgan"),  # BEGAN is their autoencoder-energy GAN
    "ensemble_gan": ("discriminator ensemble", "NS GAN", "ensemble_gan"),  # non-saturating loss, several discriminators
    "cgan": ("CGAN", "NS GAN", "cgan"),  # conditional; their models are not
    "vae": ("VAE", "VAE", "vae"),  # the likelihood model of their study, on the same networks
    "sngan": ("SNGAN (ResNets, hinge loss)", None, "sngan"),  # their study has no hinge loss
}
SHORT_RECIPES = ("dcgan", "wgan_gp")  # recipes with a budget of their own below Lucic's: a row at each
# Lucic et al.'s networks are InfoGAN's: a short recipe's rows at their budget add the hidden dense layers where the
# model has them (the Lucic-budget recipes set them in their own flags).
LUCIC_NETWORKS = {"dcgan": ("--dense_units=1024",), "wgan_gp": ("--filters=64", "--dense_units=1024")}
# At Lucic's budget DCGAN samples from G's average, as the least-squares and CGAN recipes do; the short recipe does
# not: at its 3,748 steps the average (decay 0.999) scored FID 25.0, the recipe's G 23.2.
AVERAGED_AT_LUCIC = {"dcgan": ("--ema_decay=0.999",)}
BFLOAT16_BY_DEFAULT = ("dcgan", "wgan_gp")  # precision="auto" computes them in bfloat16 here: a float32 row beside


def real_image_rows():
    """The MNIST and Fashion-MNIST rows: every recipe at Lucic's budget, the short recipes also at their own, and
    the models that default to bfloat16 also in float32."""
    rows = {}
    for dataset in ("mnist", "fashion_mnist"):
        for model, (label, anchor, page) in REAL_IMAGE_MODELS.items():
            recipe = f"{model}_{dataset}"
            short = model in SHORT_RECIPES
            at_lucic = LUCIC_BUDGET + LUCIC_NETWORKS.get(model, ()) + AVERAGED_AT_LUCIC.get(model, ())
            rows[f"{recipe}_lucic" if short else recipe] = Row(dataset, recipe, at_lucic, label=label, anchor=anchor, page=page)
            if short:
                rows[recipe] = Row(dataset, recipe, label=label, anchor=anchor, page=page)
            if model in BFLOAT16_BY_DEFAULT:
                rows[f"{recipe}_lucic_float32"] = Row(
                    dataset, recipe, at_lucic + ("--precision=float32",), label=f"{label}, float32", anchor=anchor, page=page
                )
    return rows


ROWS.update(real_image_rows())
# DiffAugment (Zhao et al. 2020) where it is meant to help: DCGAN's row at Lucic's budget on a tenth of Fashion-MNIST.
SMALL_DATA = LUCIC_BUDGET + LUCIC_NETWORKS["dcgan"] + AVERAGED_AT_LUCIC["dcgan"] + ("--num_samples=6000",)
ROWS.update({
    "dcgan_fashion_mnist_small": Row("fashion_mnist_small", "dcgan_fashion_mnist", SMALL_DATA, "fashion_mnist", "DCGAN"),
    "dcgan_fashion_mnist_small_diff_augment": Row(
        "fashion_mnist_small", "dcgan_fashion_mnist", SMALL_DATA + ("--diff_augment=color,translation,cutout",),
        "fashion_mnist", "DCGAN + DiffAugment (color, translation, cutout)",
    ),
})

# ProGAN beside DCGAN and WGAN-GP at 32x32 (the data resized), at equal images seen: Lucic's budget of 15,625 generator
# updates of 64 images, which the ProGAN recipes spend as 4x4 for 125,000 images, a fade-in and a stabilization of
# 125,000 each per doubling, and 125,000 more at 32x32.
for _dataset in ("mnist", "fashion_mnist"):
    ROWS.update({
        f"progan_{_dataset}": Row(f"{_dataset}_32", f"progan_{_dataset}", label="ProGAN (grown from 4x4)", page="progan"),
        f"dcgan_{_dataset}_32": Row(
            f"{_dataset}_32", f"dcgan_{_dataset}", LUCIC_BUDGET + LUCIC_NETWORKS["dcgan"] + AVERAGED_AT_LUCIC["dcgan"]
            + ("--image_size=32",), label="DCGAN (non-saturating)", page="progan",
        ),
        f"wgan_gp_{_dataset}_32": Row(
            f"{_dataset}_32", f"wgan_gp_{_dataset}", LUCIC_BUDGET + LUCIC_NETWORKS["wgan_gp"] + ("--image_size=32",),
            label="WGAN-GP", page="progan",
        ),
    })

flags.DEFINE_list("models", list(ROWS), f"Rows to run: {', '.join(ROWS)}.")
flags.DEFINE_list("seeds", None, "Training seeds; default: each row's own, 0-2 (0-4 for the packs and DANN on the moons).")
flags.DEFINE_string("results", os.path.join(ROOT, "bench/results/quality"), "One JSON per finished (row, seed).")
flags.DEFINE_string("runs", os.path.join(ROOT, "runs/quality"), "Run folders (models, samples, logs).")
flags.DEFINE_bool("rescore", False, "Score finished rows again from their saved models (after a change to the metrics).")
flags.DEFINE_string("figures", os.path.join(ROOT, "docs"), "Where the figures go: quality_<mixture>.png, quality/<row>.png.")
flags.DEFINE_string("pages", os.path.join(ROOT, "docs/models"), "The model pages whose MNIST and Fashion-MNIST rows are rewritten.")
flags.DEFINE_string("markdown", os.path.join(ROOT, "BENCHMARKS.md"), "The Markdown file whose quality section is rewritten.")
flags.DEFINE_string("readme", os.path.join(ROOT, "README.md"), "The README whose results table is rewritten ('': none).")


def _flag(recipe, name):
    """The value a zoo/<recipe>.flags file gives --name, or None."""
    with open(os.path.join(ROOT, "zoo", f"{recipe}.flags")) as handle:
        for line in handle:
            if line.startswith(f"--{name}="):
                return line.strip().split("=", 1)[1]
    return None


def _dataset(row):
    """What `row` is scored on: its scored_on, the --dataset it sets, or its recipe's."""
    overridden = [flag.split("=", 1)[1] for flag in row.extra if flag.startswith("--dataset=")]
    return row.scored_on or (overridden[-1] if overridden else _flag(row.recipe, "dataset"))


def _image_size(row):
    """The --image_size the row trains at (its own flags first, then its recipe's), or None: the data's own."""
    overridden = [flag.split("=", 1)[1] for flag in row.extra if flag.startswith("--image_size=")]
    size = overridden[-1] if overridden else _flag(row.recipe, "image_size")
    return int(size) if size else None


def train_command(name, row, seed, run):
    """The `kerasgan train` command of one (row, seed)."""
    return [
        "kerasgan", "train", f"--flagfile=zoo/{row.recipe}.flags", *row.extra, f"--seed={seed}",
        f"--output_dir={os.path.relpath(run, ROOT)}", f"--export_dir={os.path.relpath(run, ROOT)}/saved_models",
        "--sample_every=1000",
    ]


def evaluate_options(row):
    """evaluation.evaluate's options for `row`: the mixtures' protocol draws 2,500 samples."""
    # 10,000 on MNIST and Fashion-MNIST: Lucic et al.'s FID.
    counts = {"grid25": 2500, "ring8": 2500, "mnist": 10_000, "fashion_mnist": 10_000, "fashion_mnist_small": 10_000,
              "mnist_32": 10_000, "fashion_mnist_32": 10_000, "inpainting": 10_000, "super_resolution": 400,
              "mnist_captions": 10_000, "fashion_mnist_captions": 10_000}
    options = {"split": "test", "num_images": counts.get(row.protocol, 1000), "seed": 0}
    if row.protocol == "digits":
        options["feature_extractor"] = "digits"  # the digits-classifier distance of docs/protocols.md section 3
    return options


def run_one(name, seed):
    """Trains and scores one (row, seed) unless its result exists; returns the result."""
    row = ROWS[name]
    result_path = os.path.join(FLAGS.results, f"{name}_seed{seed}.json")
    run = os.path.join(FLAGS.runs, name, f"seed_{seed}")
    if os.path.exists(result_path):
        with open(result_path) as handle:
            result = json.load(handle)
        if FLAGS.rescore and os.path.exists(os.path.join(run, "model.keras")):
            model, result["scores"] = _scores(row, run)
            # the run folder may have been trained again since: the record describes the model just scored
            result.update(_training_record(run, model, _finished_training_seconds(run)))
            _write(result, result_path)
            samples_figure(name, seed, model)
        return result
    command = train_command(name, row, seed, run)
    if os.path.exists(os.path.join(run, "model.keras")):
        seconds = _finished_training_seconds(run)  # trained, its scoring interrupted: score it
    else:
        seconds = _train(name, seed, run, command)
    model, scores = _scores(row, run)
    options = evaluate_options(row)
    result = {
        "row": name,
        "seed": seed,
        "train_command": " ".join(command),
        "evaluate_command": (
            f"kerasgan evaluate --model_path={os.path.relpath(run, ROOT)}/model.keras --dataset={_dataset(row)} "
            f"--num_images={options['num_images']}"
        ),
        "scores": scores,
        **_training_record(run, model, seconds),
        "date": time.strftime("%Y-%m-%d"),
    }
    _write(result, result_path)
    samples_figure(name, seed, model)
    return result


def _training_record(run, model, seconds):
    """What a result says of the training behind its scores: steps, time, precision, CPU, the quality callback's history."""
    import keras

    with open(os.path.join(run, "history.json")) as handle:
        history = json.load(handle)
    return {
        "generator_steps": int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations)),
        "train_seconds": seconds,
        "precision": model.dtype_policy.name,  # what precision="auto" chose on this machine's CPU
        "cpu": _cpu_name(),
        "quality_history": {key: value for key, value in history.items() if key.startswith("quality_")},
    }


def _ledger_path(run):
    return run + ".seconds.json"


def _read_ledger(run):
    """{"seconds": training time spent before, "started": when the unfinished invocation began, or None}."""
    if not os.path.exists(_ledger_path(run)):
        return {"seconds": 0.0, "started": None}
    with open(_ledger_path(run)) as handle:
        return json.load(handle)


def _write_ledger(run, seconds, started):
    with open(_ledger_path(run), "w") as handle:
        json.dump({"seconds": seconds, "started": started}, handle)


def _train(name, seed, run, command):
    """Runs `command` into the run folder `run`; returns the wall-clock seconds of its training.

    A run folder with a usable checkpoint (an invocation interrupted mid-training) is resumed by the same command,
    which `kerasgan train` continues from its newest checkpoint; its time so far is what the ledger beside the run
    folder holds plus the interrupted invocation's time up to that checkpoint (what came after it is trained again).
    A run folder without one is trained anew.
    """
    from kerasgan import checkpoints

    newest = checkpoints.latest(os.path.join(run, "checkpoints")) if os.path.exists(run) else None
    seconds = 0.0
    if newest:
        ledger = _read_ledger(run)
        seconds = ledger["seconds"]
        if ledger["started"] is not None:
            seconds += max(os.path.getmtime(newest[0]) - ledger["started"], 0.0)
    elif os.path.exists(run):
        shutil.rmtree(run)  # interrupted before its first checkpoint: start it again
    started = time.time()
    os.makedirs(os.path.dirname(run), exist_ok=True)
    _write_ledger(run, seconds, started)
    executable = [os.path.join(os.path.dirname(sys.executable), "kerasgan")] + command[1:]
    log_path = run + ".log"
    with open(log_path, "a" if newest else "w") as log:
        process = subprocess.run(executable, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if process.returncode:
        raise RuntimeError(f"{name} seed {seed}: training failed (exit {process.returncode}); see {log_path}")
    seconds += time.time() - started
    _write_ledger(run, seconds, None)
    return seconds


def _finished_training_seconds(run):
    """The training time of a run folder whose training finished: the ledger's when the bench trained it, else from
    its run.flags (written first) to its model.keras (written last by `kerasgan train`)."""
    ledger = _read_ledger(run)
    if os.path.exists(_ledger_path(run)) and ledger["started"] is None:
        return ledger["seconds"]
    return os.path.getmtime(os.path.join(run, "model.keras")) - os.path.getmtime(os.path.join(run, "run.flags"))


def _comparison_page(results):
    """docs/vae_vs_gan.md's measured section (and the VAE's reconstructions when this run trained or read a VAE row);
    returns what it wrote."""
    import sections
    import vae_vs_gan

    if not any(ROWS[name].protocol in vae_vs_gan.DATASETS for name in results):
        return []
    page = os.path.join(os.path.dirname(FLAGS.pages), "vae_vs_gan.md")
    written = [page]
    for dataset in vae_vs_gan.DATASETS:
        if vae_vs_gan.VAE_ROW.format(dataset=dataset) in FLAGS.models:
            figure = vae_vs_gan.reconstructions_figure(FLAGS.runs, dataset, _reconstructions_path(dataset))
            written += [figure] if figure else []

    def reconstructions_of(dataset):
        path = _reconstructions_path(dataset)
        return os.path.relpath(path, os.path.dirname(page)) if os.path.exists(path) else None

    section = vae_vs_gan.section(ROWS, results, lambda name: _figure_link(name, page), reconstructions_of)
    sections.replace_section(page, section, vae_vs_gan.BEGIN, vae_vs_gan.END)
    return written


def _reconstructions_path(dataset):
    return os.path.join(FLAGS.figures, "quality", f"vae_reconstructions_{dataset}.png")


def _cpu_name():
    """The CPU's model name as /proc/cpuinfo gives it (None where there is none)."""
    try:
        with open("/proc/cpuinfo") as handle:
            return next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), None)
    except OSError:
        return None


def _scores(row, run):
    """(the run's saved model, its evaluation.evaluate scores under the row's protocol)."""
    import keras

    import kerasgan.zoo  # noqa: F401  (registers the zoo classes for load_model)
    from kerasgan import evaluation

    model = keras.models.load_model(os.path.join(run, "model.keras"))
    scores = evaluation.evaluate(model, _dataset(row), **evaluate_options(row))
    if model.ema_decay:  # the averaged networks' scores, and beside them the trained ones'
        model.use_average = False
        scores["without_average"] = evaluation.evaluate(model, _dataset(row), **evaluate_options(row))
        model.use_average = True
    return model, scores


def _figure_path(name):
    return os.path.join(FLAGS.figures, "quality", f"{name}.png")


def _figure_link(name, page):
    """The link from `page` to the samples of row `name`, or None when they were not drawn."""
    path = _figure_path(name)
    return os.path.relpath(path, os.path.dirname(page)) if os.path.exists(path) else None


def samples_figure(name, seed, model):
    """docs/quality/<row>.png for a row shown on a model page: 64 samples of seed 0's model (one column per class
    for a conditional one); other rows and seeds draw nothing."""
    if ROWS[name].page is None or seed != 0:
        return None
    from kerasgan import plots

    images, columns = plots.picture(model)
    return plots.save_samples(images, _figure_path(name), scale=2, columns=columns)


def _write(result, path):
    """Writes a result file whole or not at all (temporary name, then rename)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as handle:
        json.dump(result, handle, indent=1)
    os.replace(path + ".tmp", path)


def finished_results():
    """{row: [result per seed]} of every result file on disk, in ROWS order."""
    results = {}
    if not os.path.isdir(FLAGS.results):
        return results
    for file_name in sorted(os.listdir(FLAGS.results)):
        if file_name.endswith(".json"):
            with open(os.path.join(FLAGS.results, file_name)) as handle:
                result = json.load(handle)
            results.setdefault(result["row"], []).append(result)
    return {name: results[name] for name in ROWS if name in results}


def plan(models, seeds=None):
    """The (row, seed) pairs in the order they run: seed by seed, so that a part of the benchmark gives every row;
    each row its own seeds unless `seeds` names them."""
    own = {name: [int(s) for s in seeds] if seeds else list(range(ROWS[name].seeds)) for name in models}
    return [(name, seed) for seed in sorted(set().union(*own.values())) for name in models if seed in own[name]]


def main(argv):
    del argv
    import quality_plots
    import quality_tables
    import sections

    unknown = sorted(set(FLAGS.models) - set(ROWS))
    if unknown:
        raise app.UsageError(f"unknown row {', '.join(unknown)}: use some of {', '.join(ROWS)}")
    failures = []
    for name, seed in plan(FLAGS.models, FLAGS.seeds):
        started = time.time()
        try:
            result = run_one(name, seed)
        except RuntimeError as error:  # a failed training: the other rows still run
            failures.append(str(error))
            print(error, flush=True)
            continue
        print(f"{name} seed {seed}: {quality_tables.summary(result)} ({time.time() - started:.0f} s)", flush=True)
    results = finished_results()
    floors = quality_tables.references(ROWS, results, _dataset, _image_size, evaluate_options)
    sections.replace_section(FLAGS.markdown, quality_tables.section(ROWS, results, floors, BEGIN, END), BEGIN, END)
    written = [FLAGS.markdown]
    if FLAGS.readme and any(ROWS[name].protocol in (*quality_tables.LUCIC, "mnist_m") for name in results):
        begin, end = quality_tables.README_BEGIN, quality_tables.README_END
        sections.replace_section(FLAGS.readme, quality_tables.readme_table(ROWS, results, floors), begin, end)
        written.append(FLAGS.readme)
    for page, names in quality_tables.page_rows(ROWS).items():
        path = os.path.join(FLAGS.pages, f"{page}.md")
        section = quality_tables.page_section(ROWS, results, names, lambda name, page=path: _figure_link(name, page))
        sections.replace_section(path, section, quality_tables.PAGE_BEGIN, quality_tables.PAGE_END)
        written.append(path)
    for protocol in ("grid25", "ring8"):  # drawn from the run folders: only when this run trained or read them
        if any(ROWS[name].protocol == protocol for name in FLAGS.models if name in results):
            written.append(quality_plots.mixture_figure(
                ROWS, results, FLAGS.runs, protocol, os.path.join(FLAGS.figures, f"quality_{protocol}.png")
            ))
    written += _comparison_page(results)
    if any(ROWS[name].protocol == "inpainting" for name in FLAGS.models):
        figure = quality_plots.inpainting_figure(FLAGS.runs, os.path.join(FLAGS.figures, "context_encoder_fashion_mnist.png"))
        written += [figure] if figure else []
    if any(ROWS[name].protocol == "super_resolution" for name in FLAGS.models):
        figure = quality_plots.super_resolution_figure(FLAGS.runs, os.path.join(FLAGS.figures, "srgan_photos.png"))
        written += [figure] if figure else []
    print(f"wrote {', '.join(written)}")
    if failures:
        raise SystemExit("failed (rerun to retry them):\n" + "\n".join(failures))


if __name__ == "__main__":
    app.run(main)
