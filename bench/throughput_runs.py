"""The measurements of bench/throughput.py, each run in a process of its own: one function per kind of row.

Timing: `fit(steps_per_epoch=...)` with a callback taking time.perf_counter() at each
on_train_batch_end (which waits for the step's metrics); the first `warmup` step intervals
(tracing, compiling) are dropped and the median of the rest is the step time. Models compared
in one process run in the order A B ... B A, half the timed steps per run.
"""
import os
import resource
import sys
import time

import flops
import keras
import reference_steps as reference
import tensorflow as tf
from step_timing import summary

from kerasgan import cli, jit_choice, precision
from kerasgan.zoo import DCGAN, WGAN

UNITS = {
    "gan": "points", "dann": "examples (half source, half target)", "pix2pix": "(input, target) pairs",
    "cyclegan": "(A, B) pairs",
}


# --- timing ---------------------------------------------------------------------------------------


def step_times(model, dataset, steps, warmup):
    """Seconds per step of `steps` fit steps on `dataset` after dropping `warmup` intervals; and the first interval."""

    class Timer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.times = [time.perf_counter()]

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())

    timer = Timer()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[timer])
    intervals = [b - a for a, b in zip(timer.times, timer.times[1:])]
    return intervals[warmup:], intervals[0]


def time_alone(model, dataset, batch_size, steps, warmup):
    intervals, first = step_times(model, dataset, steps, warmup)
    return summary(intervals, first, batch_size)


def time_interleaved(runs, batch_size, steps, warmup):
    """Timing summaries of (name, model, dataset) runs timed in the order A B ... B A, half the steps each."""
    timed = max(steps - warmup, 2)
    halves = {name: {"intervals": [], "first": None} for name, _, _ in runs}
    order = [(run, warmup, timed - timed // 2) for run in runs]
    order += [(run, 2, timed // 2) for run in reversed(runs)]  # the second fit of a model only makes an iterator
    for (name, model, dataset), skipped, count in order:
        intervals, first = step_times(model, dataset, skipped + count, skipped)
        halves[name]["intervals"] += intervals
        halves[name]["first"] = halves[name]["first"] or first
    return {name: summary(h["intervals"], h["first"], batch_size) for name, h in halves.items()}


def time_default(model, dataset, batch_size, steps, warmup):
    """A model compiled with kerasgan's defaults: a fit long enough for jit_compile="auto" to measure and choose
    (kerasgan.jit_choice), timed after the choice; the choice and its measurements in the summary."""
    model.compile()
    measuring = jit_choice.measuring_steps()
    total = max(jit_choice.MIN_STEPS, measuring + steps)
    intervals, first = step_times(model, dataset, total, measuring + warmup)
    row = summary(intervals, first, batch_size)
    measured = model.jit_choice.result if model.jit_choice else None
    row.update(precision=model.precision, jit_compile=bool(model.jit_compile), jit_measured=measured, fit_steps=total)
    return row


def peak_rss_mib():
    """This process's peak resident set size in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- batches and models -------------------------------------------------------------------------------


def random_like(batch):
    """The batch with every float tensor replaced by uniform noise in [-1, 1] (labels kept)."""

    def noise(tensor):
        if not tensor.dtype.is_floating:
            return tensor
        return tf.random.stateless_uniform(tensor.shape, seed=(0, 0), minval=-1.0, maxval=1.0, dtype=tensor.dtype)

    return tf.nest.map_structure(noise, batch)


def shapes(batch):
    """The batch's structure with each tensor written as its shape, e.g. ((32x32x32x3, 32x32x32x3), 32)."""
    described = tf.nest.map_structure(lambda tensor: "x".join(map(str, tensor.shape)), batch)
    return str(described).replace("'", "")


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def recipe(config, model_precision="auto", extra=()):
    """The recipe's dataset and model, built as `kerasgan train --flagfile=zoo/<config>.flags --precision=...` builds them."""
    flagfile = os.path.join(ROOT, "zoo", config + ".flags")
    cli.parse_flags([sys.argv[0], f"--flagfile={flagfile}", f"--precision={model_precision}", *extra])
    dataset, _, model = cli.model_and_data()
    return dataset, model


def in_memory(batch):
    return tf.data.Dataset.from_tensors(batch).repeat()


# --- the kinds of row ---------------------------------------------------------------------------------


def zoo_row(config, variant, steps, warmup):
    """A zoo model at its recipe's shapes on one random batch held in memory: float32 with XLA off or on
    ("off", "on"), or kerasgan's defaults ("default": precision and jit_compile "auto")."""
    dataset, model = recipe(config, "auto" if variant == "default" else "float32")
    batch = random_like(next(iter(dataset)))
    size = cli.FLAGS.batch_size
    row = {"model": type(model).__name__, "batch_size": size, "unit": UNITS.get(cli.FLAGS.model, "images"), "shapes": shapes(batch)}
    if variant == "default":
        row.update(time_default(model, in_memory(batch), size, steps, warmup))
    else:
        model.compile(jit_compile=variant == "on")
        row["jit_effective"] = bool(model.jit_compile)
        row.update(time_alone(model, in_memory(batch), size, steps, warmup))
    return row


# The configurations kerasgan is timed against a hand-written step on: the protocol's reference networks
# and the zoo's networks at the MNIST recipes' shapes and the issue-sized DCGAN at 32x32.
EQUAL = {
    "wgan_gp_reference": "WGAN-GP reference networks, 28x28x1, batch 64, z 32, 2 critic steps",
    "dcgan_reference": "DCGAN reference networks, 32x32x1, batch 64, z 100",
    "dcgan_32": "kerasgan's DCGAN networks, 32x32x1, batch 64, z 100, filters 64",
    "dcgan_mnist": "zoo/dcgan_mnist.flags networks, 28x28x1, batch 64",
    "wgan_gp_mnist": "zoo/wgan_gp_mnist.flags networks, 28x28x1, batch 64, 5 critic steps",
}


def equal_networks(config, model_precision):
    """(kerasgan model, hand-written model, batch, FLOPs per step) of an EQUAL configuration, the same
    networks (cloned, the same weights) in both, built under `model_precision`."""
    policy = precision.POLICIES[model_precision]
    with precision.global_policy(policy):
        if config == "wgan_gp_reference":
            settings, (generator, critic) = reference.WGAN_GP, reference.wgan_gp_networks()
            steps, shape, latent = settings["critic_steps"], settings["image_shape"], settings["latent_dim"]
        elif config == "wgan_gp_mnist":
            _, built = recipe("wgan_gp_mnist", model_precision)
            generator, critic, steps = built.generator, built.discriminator, built.discriminator_steps
            shape, latent = built.sample_shape, built.latent_dim
        elif config == "dcgan_reference":
            settings, (generator, critic) = reference.DCGAN, reference.dcgan_networks()
            shape, latent = settings["image_shape"], settings["latent_dim"]
        else:
            built = recipe("dcgan_mnist", model_precision)[1] if config == "dcgan_mnist" else DCGAN(
                image_shape=(32, 32, 1), precision=model_precision
            )
            generator, critic, shape, latent = built.generator, built.discriminator, built.sample_shape, built.latent_dim
        copies = reference.clone(generator), reference.clone(critic)
    batch_size = 64
    if config.startswith("wgan"):
        ours = WGAN(generator=generator, critic=critic, critic_steps=steps, seed=0, precision=model_precision)
        theirs = reference.HandWrittenWGANGP(*copies, latent, steps)
        step_flops = flops.wgan_gp_step_flops(generator, critic, batch_size, steps)
    else:
        ours = DCGAN(generator=generator, discriminator=critic, seed=0, precision=model_precision)
        theirs = reference.HandWrittenDCGAN(*copies, latent)
        step_flops = flops.dcgan_step_flops(generator, critic, batch_size)
    batch = tf.random.stateless_uniform((batch_size,) + tuple(shape), seed=(0, 0), minval=-1.0, maxval=1.0)
    return ours, theirs, batch, step_flops


def equal_row(config, variant, steps, warmup):
    """kerasgan against the hand-written step on the same networks, batch and settings: variant
    "<precision>_<off|on>" (float32_off, bfloat16_on, ...)."""
    model_precision, jit = variant.split("_")
    ours, theirs, batch, step_flops = equal_networks(config, model_precision)
    ours.compile(jit_compile=jit == "on")
    theirs.compile(jit_compile=jit == "on")
    row = {"batch_size": int(batch.shape[0]), "unit": "images", "shapes": shapes(batch), "flops_per_step": step_flops}
    row["jit_effective"] = {"kerasgan": bool(ours.jit_compile), "hand_written": bool(theirs.jit_compile)}
    runs = [("kerasgan", ours, in_memory(batch)), ("hand_written", theirs, in_memory(batch))]
    row.update(time_interleaved(runs, int(batch.shape[0]), steps, warmup))
    row["profiler_flops"] = {"kerasgan": flops.profiled_flops(ours, batch), "hand_written": flops.profiled_flops(theirs, batch)}
    return row


def default_row(config, steps, warmup):
    """kerasgan's defaults on an EQUAL configuration's networks: built under precision="auto" for the class,
    compiled with jit_compile="auto" and timed after the choice; then, in the same process, timed A B C C B A
    against the hand-written float32 step with XLA off and on ("kerasgan" and "hand_written", its faster
    setting, give the paired ratio)."""
    cls = WGAN if config.startswith("wgan") else DCGAN
    chosen = precision.precision_of(precision.policy_name("auto", cls))
    ours, _, batch, step_flops = equal_networks(config, chosen)
    size = int(batch.shape[0])
    row = {"batch_size": size, "unit": "images", "flops_per_step": step_flops}
    row.update(time_default(ours, in_memory(batch), size, steps, warmup))
    runs = [("kerasgan", ours, in_memory(batch))]
    for jit in ("off", "on"):
        theirs = equal_networks(config, "float32")[1]
        theirs.compile(jit_compile=jit == "on")
        runs.append((f"hand_written_{jit}", theirs, in_memory(batch)))
    timed = time_interleaved(runs, size, steps, warmup)
    faster = max(("off", "on"), key=lambda jit: timed[f"hand_written_{jit}"]["images_per_s"])
    row.update(kerasgan=timed["kerasgan"], hand_written=dict(timed[f"hand_written_{faster}"], xla=faster))
    row["hand_written_other"] = timed[f"hand_written_{'on' if faster == 'off' else 'off'}"]
    return row


def torch_row(config, variant, steps, warmup):
    """The PyTorch twin of a reference configuration, eager ("torch_eager") or compiled ("torch_compile")."""
    import torch_steps

    return {"batch_size": 64, "unit": "images", **torch_steps.time_torch(config, variant == "torch_compile", steps, warmup)}


# Input pipelines: the DCGAN MNIST recipe on each real dataset, and the digits recipe.
PIPELINES = {
    "mnist": ("dcgan_mnist", ()),
    "fashion_mnist": ("dcgan_mnist", ("--dataset=fashion_mnist",)),
    "mnist_m": ("dcgan_mnist", ("--dataset=mnist_m",)),
    "digits": ("dcgan_digits", ()),
}


def pipeline_row(config, steps, warmup):
    """The recipe at kerasgan's defaults fed by kerasgan.data.load against the same pipeline's first batch
    cached in memory, one model in one process (XLA as the recipe's default chose it, measured first)."""
    dataset, model = recipe(PIPELINES[config][0], extra=PIPELINES[config][1])
    size = cli.FLAGS.batch_size
    first = next(iter(dataset))
    model.compile()
    model.fit(in_memory(first), steps_per_epoch=jit_choice.MIN_STEPS, epochs=1, verbose=0)  # the jit choice
    cached = dataset.take(1).cache().repeat()
    row = {"model": type(model).__name__, "recipe": PIPELINES[config][0], "dataset": cli.FLAGS.dataset, "batch_size": size,
           "unit": "images", "precision": model.precision, "jit_compile": bool(model.jit_compile), "shapes": shapes(first)}
    row.update(time_interleaved([("data_load", model, dataset), ("cached", model, cached)], size, steps, warmup))
    return row


def fid_extraction_row(num_images=1000):
    """Images per second of the FID Inception features of `num_images` MNIST test images (kerasgan.metrics)."""
    from kerasgan import data, metrics

    images = data.examples("mnist", "test", num_images)[0]
    metrics.extract_features(images[:50], "inception")  # builds the network: not part of the timing
    started = time.perf_counter()
    metrics.extract_features(images, "inception")
    seconds = time.perf_counter() - started
    return {"images": num_images, "seconds": seconds, "images_per_s": num_images / seconds,
            "minutes_for_10000": 10_000 / (num_images / seconds) / 60}
