"""The `kerasgan` command: `kerasgan train|sample [--flags]` (absl flags; --flagfile for recipes)."""
import json
import os
import sys
import tempfile

from absl import app, flags, logging

FLAGS = flags.FLAGS
COMMANDS = ("train", "sample", "export", "evaluate")

# train
flags.DEFINE_string(
    "model", "dcgan", "Zoo model: dcgan, cgan, wgan, ebgan, pix2pix, cyclegan, or gan (the MLP GAN for 2-D data)."
)
flags.DEFINE_string(
    "dataset",
    "digits",
    "kerasgan.data.load name: mnist, fashion_mnist, mnist_m, digits, digits_m, ring8, grid25, digits2digits_m, "
    "colorization, moons, a TFDS name or a folder.",
)
flags.DEFINE_string(
    "split", "train", "Dataset split: train or test (MNIST's own; a folder's test/ subfolder, else a held-out 10%), "
    "all (digits, folders); evaluate: the held-out split compared with, test unless given."
)
flags.DEFINE_integer("image_size", None, "Square size images are resized to; default: the dataset's own.")
flags.DEFINE_integer("num_samples", None, "ring8/grid25: points drawn (default 100,000); others: keep the first N.")
flags.DEFINE_integer("batch_size", 64, "Global batch size.")
flags.DEFINE_integer("epochs", 10, "Passes over the dataset.")
flags.DEFINE_integer("latent_dim", None, "Length of z; default: the model's (DCGAN 100, GAN 2).")
flags.DEFINE_integer("filters", 64, "DCGAN: filters of the first discriminator convolution.")
flags.DEFINE_integer("units", 512, "GAN: units per hidden layer.")
flags.DEFINE_integer("depth", 3, "GAN: hidden layers per network.")
flags.DEFINE_float("data_scale", 1.0, "GAN: the data's std; the networks then work on unit-scale data.")
flags.DEFINE_boolean(
    "split_real_batch", False,
    "Give each of the discriminator steps its own slice of the batch (a fresh real batch per critic update).",
)
flags.DEFINE_enum(
    "loss", "non_saturating", ["minimax", "non_saturating", "least_squares", "hinge", "wasserstein"], "Loss family."
)
flags.DEFINE_float("label_smoothing", 0.0, "One-sided label smoothing: real targets become 1 - this.")
flags.DEFINE_integer(
    "discriminator_steps", None, "Discriminator updates per generator update (k); default: the model's (1; WGAN 5)."
)
flags.DEFINE_enum("penalty", None, ["gp", "r1", "clip"], "Discriminator penalty (WGAN: gp or clip, default gp).")
flags.DEFINE_float("penalty_weight", None, "Weight of the gp / r1 penalty; default 10.")
flags.DEFINE_float("clip_value", 0.01, "Weight clipping bound c (penalty=clip).")
flags.DEFINE_float("instance_noise", 0.0, "Std of Gaussian noise added to the discriminator's inputs.")
flags.DEFINE_integer("unrolled_steps", 0, "GAN, DCGAN, CGAN, WGAN: G's loss through D unrolled this many steps (Metz et al. 2016).")
flags.DEFINE_float("unrolled_learning_rate", 0.01, "Step size of the unrolled discriminator's gradient steps.")
flags.DEFINE_integer("num_discriminators", 5, "ensemble_gan: discriminators in the ensemble.")
flags.DEFINE_float("max_noise", 2.0, "ensemble_gan: input-noise std of the weakest discriminator (falls to 0).")
flags.DEFINE_bool("spectral_norm", False, "DCGAN: spectral normalization in the discriminator.")
flags.DEFINE_string("normalization", "layer", "WGAN: the critic's normalization, layer or none.")
flags.DEFINE_integer("num_classes", None, "CGAN: number of labels; default: counted from the dataset.")
flags.DEFINE_float("margin", 1.0, "EBGAN: energy margin m.")
flags.DEFINE_float("pull_away_weight", 0.1, "EBGAN: weight of the pull-away term.")
flags.DEFINE_float("l1_weight", 100.0, "Pix2Pix: weight of the L1 term.")
flags.DEFINE_enum("direction", "a_to_b", ["a_to_b", "b_to_a"], "Pix2Pix on a side-by-side A|B folder: which half is the input.")
flags.DEFINE_float("cycle_weight", 10.0, "CycleGAN: weight of the cycle-consistency loss.")
flags.DEFINE_float("identity_weight", 0.5, "CycleGAN: weight of the identity loss, relative to cycle_weight.")
flags.DEFINE_integer("pool_size", 50, "CycleGAN: past fakes kept per discriminator (0: none).")
flags.DEFINE_integer("residual_blocks", None, "CycleGAN: residual blocks per generator; default 6, 9 from 256x256.")
flags.DEFINE_integer("generator_downsamplings", 2, "CycleGAN: stride-2 blocks of each generator (the paper's 2).")
flags.DEFINE_integer(
    "decay_epochs", None,
    "Epochs of linear learning-rate decay at the end: CycleGAN's default is half; Pix2Pix decays only when set "
    "(the paper keeps the rate, the authors' code decays over the second half).",
)
flags.DEFINE_string("target_dataset", None, "DANN: the unlabelled target domain (e.g. moons_rotated, digits_m).")
flags.DEFINE_string("validation_split", "test", "DANN: labelled split of --target_dataset for val_class_accuracy ('' for none).")
flags.DEFINE_float("reversal_strength", 1.0, "DANN: the largest gradient-reversal strength lambda of the paper's schedule.")
flags.DEFINE_bool("adaptation", True, "DANN: false trains the source-only baseline (no reversed gradient).")
flags.DEFINE_float("random_invert", 0.0, "DANN on images: probability that g inverts a training image (x -> -x); 0 in the paper.")
flags.DEFINE_float("dropout", None, "Dropout rate: DANN's label and domain heads (default 0), Pix2Pix's U-Net decoder (default 0.5).")
flags.DEFINE_integer("channels", None, "Convert images to 1 or 3 channels (DANN digits -> digits_m: 3).")
flags.DEFINE_float("generator_learning_rate", None, "Adam learning rate of G; default: the paper's.")
flags.DEFINE_float("discriminator_learning_rate", None, "Adam learning rate of D; default: the paper's.")
flags.DEFINE_integer("seed", 0, "Seed for weights, noise and shuffling.")
flags.DEFINE_string("output_dir", None, "Run folder: samples/, loss_curve.png, model.keras, logs/.")
flags.DEFINE_string("export_dir", "saved_models", "TF Serving base folder; the model goes to <export_dir>/<model>/<version>/.")
flags.DEFINE_integer("sample_every", 1, "Write a sample grid every this many epochs.")
flags.DEFINE_integer(
    "checkpoint_every", 500, "Checkpoint the whole training state into <output_dir>/checkpoints every this many "
    "steps, and at each epoch end; running the same command again resumes from the newest."
)
flags.DEFINE_integer("keep_checkpoints", 3, "How many of the newest checkpoints to keep.")
flags.DEFINE_float(
    "collapse_threshold", 0.05, "Warn of mode collapse when the samples' diversity (mean pairwise distance, over "
    "real data's) stays below this for --collapse_patience epochs; 0: no check."
)
flags.DEFINE_integer("collapse_patience", 3, "Epochs in a row below --collapse_threshold before the warning.")
flags.DEFINE_bool(
    "deterministic", False, "Deterministic ops (tf.config.experimental.enable_op_determinism): a resumed run then "
    "ends with exactly the weights of an uninterrupted one; some ops run slower."
)
flags.DEFINE_integer(
    "quality_every", 0, "Score the model (kerasgan evaluate's metrics, on --dataset's test split; DANN: "
    "--target_dataset's) every this many epochs and after the last, into history.json and TensorBoard; 0: never."
)
flags.DEFINE_integer("quality_images", 500, "Samples drawn for each --quality_every score (the mixtures' protocol: 2500).")
flags.DEFINE_enum(
    "strategy",
    "default",
    ["default", "mirrored", "multi_worker", "tpu"],
    "tf.distribute strategy: default (one device), mirrored (this machine's GPUs, else its CPU), "
    "multi_worker (synchronous data parallelism over the machines listed in the TF_CONFIG environment "
    "variable; run the same command on every worker: only the chief writes --output_dir and the "
    "SavedModel) or tpu (see --tpu). --batch_size stays the global batch, split over the replicas.",
)
flags.DEFINE_string(
    "tpu", None, "--strategy=tpu: the TPU's name or grpc:// address; default: the local TPU or the environment's."
)
flags.DEFINE_bool(
    "mixed_precision",
    False,
    "Compute in 16 bits, keep the weights in float32: mixed_float16 (with loss scaling) when a GPU is "
    "visible, mixed_bfloat16 otherwise (CPU, TPU).",
)
flags.DEFINE_enum(
    "jit_compile",
    "auto",
    ["auto", "true", "false"],
    "XLA compilation of the train step (model.compile(jit_compile=...)); auto: Keras' choice, which is "
    "off on CPU.",
)
# sample and export
flags.DEFINE_string("model_path", None, "A .keras file written by `kerasgan train`.")
flags.DEFINE_integer(
    "num_images", None, "How many samples to draw (translators: examples to translate); default 64 images or 2,500 points."
)
flags.DEFINE_string(
    "output", None, "sample: the PNG grid (default samples.png); export: the .tflite file; evaluate: a JSON file of the scores."
)
flags.DEFINE_enum(
    "feature_extractor", "inception", ["inception", "digits"],
    "evaluate and --quality_every: the features of FID / KID: inception (the standard FID network's pool_3) or "
    "digits (the digits classifiers; digits and digits_m only).",
)
flags.DEFINE_enum("format", "saved_model", ["saved_model", "tflite"], "export: what to write.")
flags.DEFINE_string("signature", "serving_default", "export --format=tflite: the endpoint to convert (CycleGAN: b_to_a for B -> A).")
flags.DEFINE_enum("quantize", "none", ["none", "dynamic", "float16", "int8"], "export --format=tflite: quantization.")


class UsageError(ValueError):
    """Bad command-line input: reported as one line, exit status 2."""


class Diverged(RuntimeError):
    """Training stopped on a NaN or Inf: reported as one line, exit status 1."""


def _optimizer(learning_rate, model_default):
    """The paper's Adam with another learning rate, or None for the model's default."""
    if learning_rate is None:
        return None
    optimizer = model_default()
    optimizer.learning_rate = learning_rate
    return optimizer


TRANSLATORS = ("pix2pix", "cyclegan")


def _model_class():
    """The zoo class --model names; UsageError listing the names otherwise."""
    from kerasgan.zoo import MODELS

    if FLAGS.model not in MODELS:
        raise UsageError(f"unknown model {FLAGS.model!r} (--model): use one of {', '.join(MODELS)}")
    return MODELS[FLAGS.model]


def _build_model(element_spec):
    """The zoo model named by --model, sized for the dataset's `element_spec`, from the flags."""
    from kerasgan import data
    from kerasgan.zoo import CGAN, DCGAN, EBGAN, GAN, MODELS, WGAN, EnsembleGAN

    _model_class()
    if FLAGS.model == "dann":
        (source, _), _ = element_spec
        num_classes = FLAGS.num_classes or data.num_classes(FLAGS.dataset)
        return MODELS["dann"](
            input_shape=tuple(source.shape[1:]), num_classes=num_classes, adaptation=FLAGS.adaptation,
            random_invert=FLAGS.random_invert, dropout=FLAGS.dropout or 0.0, split_real_batch=FLAGS.split_real_batch,
            seed=FLAGS.seed,
        )
    shapes = [tuple(spec.shape[1:]) for spec in (element_spec if isinstance(element_spec, tuple) else (element_spec,))]
    sample_shape = shapes[0]
    if FLAGS.model in TRANSLATORS:
        return _build_translator(shapes)
    if FLAGS.model == "ensemble_gan":
        shape = dict(data_dim=sample_shape[0]) if len(sample_shape) == 1 else dict(image_shape=sample_shape)
        return EnsembleGAN(
            **shape, latent_dim=FLAGS.latent_dim, num_discriminators=FLAGS.num_discriminators, max_noise=FLAGS.max_noise,
            loss=FLAGS.loss, label_smoothing=FLAGS.label_smoothing, units=FLAGS.units, depth=FLAGS.depth,
            filters=FLAGS.filters, split_real_batch=FLAGS.split_real_batch, seed=FLAGS.seed,
        )
    if FLAGS.model == "gan":
        if len(sample_shape) != 1:
            raise UsageError(f"gan trains on vectors; {FLAGS.dataset} yields samples of shape {sample_shape}: use dcgan")
    elif len(sample_shape) != 3:
        raise UsageError(f"{FLAGS.model} trains on images; {FLAGS.dataset} yields samples of shape {sample_shape}")
    image = dict(image_shape=sample_shape, latent_dim=FLAGS.latent_dim, filters=FLAGS.filters, seed=FLAGS.seed)
    classifier = dict(
        loss=FLAGS.loss,
        label_smoothing=FLAGS.label_smoothing,
        discriminator_steps=FLAGS.discriminator_steps or 1,
        penalty=FLAGS.penalty,
        penalty_weight=FLAGS.penalty_weight,
        instance_noise=FLAGS.instance_noise,
        unrolled_steps=FLAGS.unrolled_steps,
        unrolled_learning_rate=FLAGS.unrolled_learning_rate,
        split_real_batch=FLAGS.split_real_batch,
    )
    if FLAGS.model == "dcgan":
        return DCGAN(spectral_norm=FLAGS.spectral_norm, **image, **classifier)
    if FLAGS.model == "cgan":
        num_classes = FLAGS.num_classes or data.num_classes(FLAGS.dataset)
        return CGAN(num_classes=num_classes, **image, **classifier)
    if FLAGS.model == "wgan":
        set_here = {"critic_steps": FLAGS.discriminator_steps, "gp_weight": FLAGS.penalty_weight}
        return WGAN(
            penalty=FLAGS.penalty or "gp",
            clip_value=FLAGS.clip_value,
            **{key: value for key, value in set_here.items() if value is not None},  # else the paper's
            normalization=None if FLAGS.normalization == "none" else FLAGS.normalization,
            unrolled_steps=FLAGS.unrolled_steps,
            unrolled_learning_rate=FLAGS.unrolled_learning_rate,
            split_real_batch=FLAGS.split_real_batch,
            **image,
        )
    if FLAGS.model == "ebgan":
        return EBGAN(
            margin=FLAGS.margin, pull_away_weight=FLAGS.pull_away_weight, split_real_batch=FLAGS.split_real_batch, **image
        )
    return GAN(
        data_dim=sample_shape[0],
        latent_dim=FLAGS.latent_dim,
        units=FLAGS.units,
        depth=FLAGS.depth,
        data_scale=FLAGS.data_scale,
        clip_value=FLAGS.clip_value,
        seed=FLAGS.seed,
        **classifier,
    )


def _build_translator(shapes):
    """Pix2Pix sized from (inputs, targets) shapes, or CycleGAN from (images_a, images_b)."""
    from kerasgan.zoo import CycleGAN, Pix2Pix

    if len(shapes) != 2 or any(len(shape) != 3 for shape in shapes):
        raise UsageError(f"{FLAGS.model} trains on pairs of image batches; {FLAGS.dataset} yields shapes {shapes}")
    if FLAGS.model == "pix2pix":
        return Pix2Pix(
            input_shape=shapes[0], output_channels=shapes[1][-1], l1_weight=FLAGS.l1_weight,
            filters=FLAGS.filters, label_smoothing=FLAGS.label_smoothing, split_real_batch=FLAGS.split_real_batch,
            **({} if FLAGS.dropout is None else {"dropout": FLAGS.dropout}), seed=FLAGS.seed,
        )
    return CycleGAN(
        image_shape=shapes[0], cycle_weight=FLAGS.cycle_weight, identity_weight=FLAGS.identity_weight,
        pool_size=FLAGS.pool_size, filters=FLAGS.filters, residual_blocks=FLAGS.residual_blocks,
        generator_downsamplings=FLAGS.generator_downsamplings, split_real_batch=FLAGS.split_real_batch, seed=FLAGS.seed,
    )


def _load_data(split, batch_size, model_name, shuffle=True):
    """--dataset as kerasgan.data.load gives it to `model_name`: labelled for cgan, paired for pix2pix."""
    from kerasgan import data

    return data.load(
        FLAGS.dataset,
        image_size=FLAGS.image_size,
        batch_size=batch_size,
        split=split,
        shuffle=shuffle,
        seed=FLAGS.seed,
        num_samples=FLAGS.num_samples,
        with_labels=model_name == "cgan",
        paired=model_name == "pix2pix",
        direction=FLAGS.direction,
    )


def _examples(model, count=8):
    """A fixed batch of `count` (first, second) examples of --dataset to translate, or None for a sampler."""
    if not hasattr(model, "translation_rows"):
        return None
    batch = next(iter(_load_data(FLAGS.split, count, type(model).__name__.lower(), shuffle=False)))
    return tuple(part.numpy() for part in batch)


def _training_data():
    """--dataset for --model: DANN's source and --target_dataset halves, else `_load_data`."""
    from kerasgan import data

    if FLAGS.model != "dann":
        return _load_data(FLAGS.split, FLAGS.batch_size, FLAGS.model)
    if not FLAGS.target_dataset:
        raise UsageError("dann needs --target_dataset, the unlabelled domain to adapt to (e.g. moons_rotated)")
    return data.domain_adaptation(
        FLAGS.dataset, FLAGS.target_dataset, batch_size=FLAGS.batch_size, seed=FLAGS.seed, split=FLAGS.split,
        image_size=FLAGS.image_size, channels=FLAGS.channels, num_samples=FLAGS.num_samples,
    )


def _target_validation():
    """DANN's labelled --target_dataset --validation_split, so fit reports val_class_accuracy; None otherwise.

    In batches of the training batch's target half, so a batch of a whole small target set fits."""
    from kerasgan import data

    if FLAGS.model != "dann" or not FLAGS.validation_split:
        return None
    return data.load(
        FLAGS.target_dataset, image_size=FLAGS.image_size, batch_size=max(1, FLAGS.batch_size // 2), split=FLAGS.validation_split,
        with_labels=True, shuffle=False, channels=FLAGS.channels,
    )


def _schedules(model):
    """The paper's schedules: CycleGAN's (and, when asked, Pix2Pix's) linear decay; DANN's reversal strength and annealed rate."""
    from kerasgan import callbacks

    if FLAGS.model == "cyclegan" or (FLAGS.model == "pix2pix" and FLAGS.decay_epochs):
        return [callbacks.LinearDecay(FLAGS.epochs, FLAGS.decay_epochs)]
    if FLAGS.model == "dann":
        return [callbacks.ReversalSchedule(max_strength=FLAGS.reversal_strength), callbacks.AnnealedLearningRate()]
    return []


JIT_COMPILE = {"auto": "auto", "true": True, "false": False}


def train():
    """Trains a zoo model on a dataset; writes the run folder and a SavedModel version.

    Under --strategy=multi_worker every worker runs this; all of them train and draw the
    pictures (predict is a collective computation there), and only the chief writes files.
    """
    import keras
    import tensorflow as tf

    from kerasgan import callbacks, checkpoints, distribute, export, guards, plots, saving

    if not FLAGS.output_dir:
        raise UsageError("train needs --output_dir, the folder for this run's samples, logs and model")
    if os.path.isfile(FLAGS.output_dir):
        raise UsageError(f"--output_dir={FLAGS.output_dir} is a file: name a folder")
    model_path = os.path.join(FLAGS.output_dir, "model.keras")
    if os.path.exists(model_path):
        raise UsageError(f"{model_path} exists: this run has finished; choose a new --output_dir so that it is kept")
    # First: a multi-worker strategy sets up collectives, which must happen before TensorFlow's runtime starts.
    strategy = distribute.strategy(FLAGS.strategy, tpu=FLAGS.tpu)
    chief = distribute.is_chief(strategy)
    distribute.precision_policy(FLAGS.mixed_precision)  # before the model is built
    keras.utils.set_random_seed(FLAGS.seed)
    if FLAGS.deterministic:
        tf.config.experimental.enable_op_determinism()
    # One repeated stream, so that a resumed run reads the batches an uninterrupted one would.
    dataset, steps = checkpoints.stream(_training_data())
    with strategy.scope():
        model = _build_model(dataset.element_spec)
        model.compile(
            generator_optimizer=_optimizer(FLAGS.generator_learning_rate, model.default_generator_optimizer),
            discriminator_optimizer=_optimizer(
                FLAGS.discriminator_learning_rate, model.default_discriminator_optimizer
            ),
            jit_compile=JIT_COMPILE[FLAGS.jit_compile],
        )
    logs = os.path.join(FLAGS.output_dir, "logs")
    run_callbacks = [keras.callbacks.TensorBoard(logs)] if chief else []
    run_callbacks += _schedules(model)
    samples = FLAGS.model != "dann"  # DANN classifies: its picture is the decision boundary below
    examples = _examples(model) if samples else None
    if samples:
        run_callbacks.append(
            callbacks.SampleGrid(
                os.path.join(FLAGS.output_dir, "samples"), seed=FLAGS.seed, every=FLAGS.sample_every, log_dir=logs,
                examples=examples,
            )
        )
    if FLAGS.quality_every:
        scored = FLAGS.target_dataset if FLAGS.model == "dann" else FLAGS.dataset
        run_callbacks.append(callbacks.QualityMetrics(
            scored, every=FLAGS.quality_every, num_images=FLAGS.quality_images, seed=FLAGS.seed,
            feature_extractor=FLAGS.feature_extractor, log_dir=logs,
        ))
    if samples and not examples and FLAGS.collapse_threshold:
        run_callbacks.append(guards.ModeCollapseWarning(
            _real_samples(), threshold=FLAGS.collapse_threshold, patience=FLAGS.collapse_patience, seed=FLAGS.seed
        ))
    guard = guards.DivergenceGuard(weight_every=FLAGS.checkpoint_every)
    # Last: the schedules read the starting learning rates before it restores a checkpoint, and the
    # quality scores are in the epoch logs it keeps.
    saver = checkpoints.Checkpoints(
        os.path.join(FLAGS.output_dir, "checkpoints"), every=FLAGS.checkpoint_every, keep=FLAGS.keep_checkpoints
    )
    run_callbacks += [guard, saver]
    model.fit(
        dataset, steps_per_epoch=steps, epochs=FLAGS.epochs, validation_data=_target_validation(),
        callbacks=run_callbacks, verbose="auto",
    )
    if guard.diverged:
        last = checkpoints.latest(saver.directory)
        raise Diverged(
            f"{guard.message}. The last good checkpoint is {last[0] if last else 'none (it diverged before the first)'}"
            "; nothing else was saved. Resume from it with lower learning rates (the same command with "
            "--generator_learning_rate, --discriminator_learning_rate) or train anew with a steadier loss (e.g. --model=wgan)"
        )
    history = _history(saver.history)
    # Every worker draws the final picture: under multi_worker, predict needs all of them.
    if samples:
        picture = _save_samples(model, os.path.join(FLAGS.output_dir, "samples.png"), examples, write=chief)
    elif chief:
        picture = _save_boundary(model, os.path.join(FLAGS.output_dir, "decision_boundary.png"))
    else:
        with tempfile.TemporaryDirectory() as scratch:  # joins the chief's predict; the plot is dropped
            _save_boundary(model, os.path.join(scratch, "decision_boundary.png"))
    if not chief:
        # Saving and exporting read this process's copy of the (mirrored) weights, no collective:
        # the chief does them alone.
        print("trained as a non-chief worker: the chief writes --output_dir and the SavedModel")
        return
    plots.save_loss_curve(history, os.path.join(FLAGS.output_dir, "loss_curve.png"))
    with open(os.path.join(FLAGS.output_dir, "history.json"), "w") as handle:
        json.dump(history, handle, indent=1)
    saving.save_atomically(model, model_path, overwrite=False)
    version = export.saved_model(model, os.path.join(FLAGS.export_dir, FLAGS.model))
    print(f"picture:     {picture}\nmodel:       {model_path}\nSavedModel:  {version}\nTensorBoard: tensorboard --logdir {logs}")


def _real_samples(count=128):
    """A batch of --dataset's real samples (images or points, without labels): the diversity reference."""
    from kerasgan import data

    return data.examples(
        FLAGS.dataset, FLAGS.split, count, image_size=FLAGS.image_size, seed=FLAGS.seed, num_samples=FLAGS.num_samples
    )[0]


def _history(epochs):
    """{log name: its values by epoch} (as keras' History.history) from each epoch's logs, a resumed run's earlier epochs included."""
    names = dict.fromkeys(name for logs in epochs for name in logs)
    return {name: [logs[name] for logs in epochs if name in logs] for name in names}


def _save_boundary(model, path):
    """DANN on 2-D data: its decision regions over labelled source and target points; None for images."""
    from kerasgan import data, plots

    if model.input_shape != (2,):
        return None
    domains = {
        role: data.examples(name, FLAGS.split, with_labels=True)
        for role, name in (("source", FLAGS.dataset), ("target", FLAGS.target_dataset))
    }
    return plots.save_decision_boundary(model, domains, path)


def _load_model():
    """The zoo model at --model_path (kerasgan.saving.load_model), which must be --model's class when given."""
    from kerasgan import saving

    if not FLAGS.model_path:
        raise UsageError("this command needs --model_path, a .keras file written by kerasgan train")
    if not os.path.isfile(FLAGS.model_path):
        raise UsageError(f"no such model file: {FLAGS.model_path}")
    return saving.load_model(FLAGS.model_path, _model_class() if FLAGS["model"].present else None)


def sample():
    """Draws `--num_images` samples from a saved model into a PNG grid; a translator
    translates the first --num_images examples of --dataset's --split instead."""
    model = _load_model()
    examples = _examples(model, FLAGS.num_images or 8)
    if type(model).__name__ == "DANN":
        raise UsageError("a DANN classifies rather than samples: use kerasgan export, or model.predict in Python")
    print(f"samples: {_save_samples(model, FLAGS.output or 'samples.png', examples)}")


def _save_samples(model, path, examples=None, write=True):
    """--num_images fixed-seed samples as a PNG (one column per class for CGAN); a translator's
    rows of `examples`. With write=False the samples are drawn but not written (returns None)."""
    from kerasgan import plots

    images, columns = plots.picture(model, FLAGS.num_images, FLAGS.seed, examples)
    return plots.save_samples(images, path, scale=2, columns=columns) if write else None


def export_model():
    """Exports a saved model as a SavedModel version or a TFLite file."""
    from kerasgan import export

    model = _load_model()
    if FLAGS.format == "saved_model":
        path = export.saved_model(model, os.path.join(FLAGS.export_dir, type(model).__name__.lower()))
        print(f"SavedModel: {path}")
        return
    quantize = None if FLAGS.quantize == "none" else FLAGS.quantize
    stem = os.path.splitext(FLAGS.model_path)[0]
    output = FLAGS.output or (f"{stem}_{quantize}.tflite" if quantize else f"{stem}.tflite")
    path = export.tflite(model, output, quantize=quantize, signature=FLAGS.signature)
    parity = export.tflite_parity(model, path, signature=FLAGS.signature)
    print(
        f"TFLite: {path} ({os.path.getsize(path) / 1024:.0f} KiB); against Keras on 16 inputs: "
        f"max abs error {parity['max_abs_error']:.2g}, mean {parity['mean_abs_error']:.2g}"
    )


def evaluate():
    """Prints the scores of a saved model on --dataset (held-out --split, test unless given): kerasgan.evaluation."""
    from kerasgan import evaluation

    model = _load_model()
    split = FLAGS.split if FLAGS["split"].present else "test"
    scores = evaluation.evaluate(
        model, FLAGS.dataset, split=split, num_images=FLAGS.num_images, seed=FLAGS.seed,
        feature_extractor=FLAGS.feature_extractor,
    )
    print(f"{type(model).__name__} on {FLAGS.dataset} ({split}):")
    for name, value in scores.items():
        print(f"  {name}: {value:.4g}" if isinstance(value, float) else f"  {name}: {value}")
    if FLAGS.output:
        with open(FLAGS.output, "w") as handle:
            json.dump(scores, handle, indent=1)


def _one_line(error):
    """The message of `error` on one line: its lines joined with '; '."""
    return "; ".join(line.strip() for line in str(error).splitlines() if line.strip())


def main(argv):
    logging.set_verbosity(logging.WARNING)
    commands = argv[1:]
    if len(commands) != 1 or commands[0] not in COMMANDS:
        raise UsageError(f"usage: kerasgan {{{'|'.join(COMMANDS)}}} [--flags]; got {' '.join(commands) or 'no command'}")
    try:
        if commands[0] == "train" or FLAGS["model"].present:
            _model_class()  # before any data is read
        {"train": train, "sample": sample, "export": export_model, "evaluate": evaluate}[commands[0]]()
    except (ValueError, FileExistsError, FileNotFoundError) as error:
        print(f"kerasgan: error: {_one_line(error)}", file=sys.stderr)
        sys.exit(2)
    except Diverged as error:
        print(f"kerasgan: {error}", file=sys.stderr)
        sys.exit(1)


def _parse_flags(argv):
    """absl's flag parsing, with a bad flag value reported like every other usage error."""
    try:
        return FLAGS(argv)
    except flags.Error as error:
        raise UsageError("; ".join(line.strip() for line in str(error).splitlines() if line.strip())) from None


def run():
    """Console-script entry point."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        app.run(main, flags_parser=_parse_flags)
    except UsageError as error:
        print(f"kerasgan: error: {_one_line(error)}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    run()
