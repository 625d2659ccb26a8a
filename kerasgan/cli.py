"""The `kerasgan` command: `kerasgan train|sample [--flags]` (absl flags; --flagfile for recipes)."""
import contextlib
import json
import logging as pylogging
import os
import sys
import tempfile
import warnings

from absl import app, flags, logging

from kerasgan import cli_help, quiet, registry

FLAGS = flags.FLAGS
COMMANDS = ("train", "sample", "export", "evaluate", "presets")

# train
flags.DEFINE_string(
    "model", "dcgan", f"The model: a registered name ({', '.join(registry.names())}) or package.module:Class for a model "
    "of your own.",
)
flags.DEFINE_string(
    "dataset",
    "digits",
    "kerasgan.data.load name: mnist, fashion_mnist, mnist_m, digits, digits_m, ring8, grid25, digits2digits_m, "
    "mnist2mnist_m, colorization, edges2photos, moons, a TFDS name or a folder.",
)
flags.DEFINE_string(
    "split", "train", "Dataset split: train or test (MNIST's own; a folder's test/ subfolder, else a held-out 10%), "
    "all (digits, folders); evaluate: the held-out split compared with, test unless given."
)
flags.DEFINE_integer("image_size", None, "Square size images are resized to; default: the dataset's own.")
flags.DEFINE_integer("num_samples", None, "ring8/grid25: points drawn (default 100,000); others: keep the first N.")
flags.DEFINE_integer("channels", None, "Convert images to 1 or 3 channels (domain adaptation digits -> digits_m: 3).")
flags.DEFINE_enum("direction", "a_to_b", ["a_to_b", "b_to_a"], "A side-by-side A|B folder of pairs: which half is the input.")
flags.DEFINE_string("target_dataset", None, "Domain adaptation (dann): the unlabelled target domain (e.g. moons_rotated, digits_m).")
flags.DEFINE_string(
    "validation_split", "test", "Domain adaptation (dann): labelled split of --target_dataset for val_class_accuracy ('' for none)."
)
flags.DEFINE_integer("batch_size", 64, "Global batch size.")
flags.DEFINE_integer("epochs", 10, "Passes over the dataset (of --steps_per_epoch batches when given).")
flags.DEFINE_integer(
    "steps_per_epoch", None, "Batches per epoch; default: one pass over the dataset. Training takes epochs x "
    "steps_per_epoch steps (e.g. 25 x 625 = 15,625, Lucic et al. 2018's budget).", lower_bound=1,
)
flags.DEFINE_float("generator_learning_rate", None, "Adam learning rate of G; default: the paper's.")
flags.DEFINE_float("discriminator_learning_rate", None, "Adam learning rate of D; default: the paper's.")
flags.DEFINE_integer("seed", 0, "Seed for weights, noise and shuffling.")
flags.DEFINE_string(
    "output_dir", None, "Run folder: samples/, loss_curve.png, model.keras, logs/, checkpoints/, run.flags (the flags it ran "
    "with) and, unless --export_dir says otherwise, saved_models/."
)
flags.DEFINE_string(
    "export_dir", None, "Where SavedModels go, TF Serving's layout <export_dir>/<model>/<version>/; a version of another "
    "class or other shapes under the same <model> folder is refused. Default: the run's own <output_dir>/saved_models "
    "(train), the folder of --model_path's saved_models (export)."
)
flags.DEFINE_integer(
    "sample_every", None, "Write a sample grid (and check for mode collapse) every this many epochs and after the last; "
    "default: about every 200 steps (every epoch of MNIST, every 50th of a 4-batch folder)."
)
flags.DEFINE_integer(
    "checkpoint_every", 500, "Checkpoint the whole training state into <output_dir>/checkpoints every this many "
    "steps and when training ends; running the same command again resumes from the newest."
)
flags.DEFINE_integer(
    "keep_checkpoints", 2, "How many of the newest checkpoints to keep while training; a finished run keeps its last one."
)
flags.DEFINE_float(
    "collapse_threshold", 0.3, "Warn of mode collapse when the samples' diversity (mean pairwise distance, over real "
    "data's; below 0.3 the samples look alike) stays below this for --collapse_patience checks, or at the last one "
    "(checks: with the sample grids); 0: no check."
)
flags.DEFINE_integer("collapse_patience", 2, "Checks in a row below --collapse_threshold before the warning.")
flags.DEFINE_bool(
    "deterministic", False, "Deterministic ops (tf.config.experimental.enable_op_determinism) and plain graphs, not "
    "--jit_compile=auto's measured choice: a resumed run then ends with exactly the weights of an uninterrupted one "
    "(WGAN's: to rounding, see docs/cli.md); some ops run slower."
)
flags.DEFINE_integer(
    "quality_every", 0, "Score the model (kerasgan evaluate's metrics, on --dataset's test split; domain adaptation: "
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
flags.DEFINE_enum(
    "precision",
    "auto",
    ["auto", "float32", "bfloat16", "float16"],
    "What the networks compute in (weights stay float32): bfloat16 (mixed_bfloat16), float16 (mixed_float16 "
    "with loss scaling) or float32; auto: the machine's native 16-bit type (bfloat16 on a CPU with avx512_bf16 "
    "or AMX and on TPU, float16 on a GPU with tensor cores) for the models measured to keep their quality in it "
    "(DCGAN, WGAN-GP), float32 otherwise.",
)
flags.DEFINE_bool(
    "mixed_precision", None, "Deprecated: use --precision=bfloat16 (CPU, TPU) or --precision=float16 (GPU)."
)
flags.DEFINE_enum(
    "jit_compile",
    "auto",
    ["auto", "true", "false"],
    "XLA compilation of the train step (model.compile(jit_compile=...)); auto: on a CPU-only machine the "
    "faster of the two, timed over the first 60 steps of a run of at least 400; elsewhere Keras' choice.",
)
# sample and export
flags.DEFINE_string("model_path", None, "A .keras file written by `kerasgan train`.")
flags.DEFINE_string(
    "preset", None, "sample, export, evaluate: a trained model shipped with kerasgan (kerasgan presets lists them), "
    "a preset folder (model.save_to_preset), a run folder or a .keras file; in place of --model_path."
)
flags.DEFINE_integer(
    "num_images", None, "How many samples to draw (translators: examples to translate); default 64 images or 2,500 points."
)
flags.DEFINE_list(
    "captions", None, "sample: the captions a text-to-image model draws, comma-separated (one column each); default: "
    "the model's, one per class of its training set."
)
flags.DEFINE_string(
    "output", None, "sample: the PNG grid (default samples.png); export: the .tflite or .onnx file; evaluate: a JSON file of the scores."
)
flags.DEFINE_enum(
    "feature_extractor", "inception", ["inception", "digits"],
    "evaluate and --quality_every: the features of FID / KID: inception (the standard FID network's pool_3) or "
    "digits (the digits classifiers; digits and digits_m only).",
)
flags.DEFINE_enum("format", "saved_model", ["saved_model", "tflite", "onnx"], "export: what to write.")
flags.DEFINE_string(
    "signature", "serving_default", "export --format=tflite or onnx: the endpoint to convert (a two-way translator: b_to_a for B -> A)."
)
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


KINDS = {int: flags.DEFINE_integer, float: flags.DEFINE_float, bool: flags.DEFINE_bool}


def define_model_flags(model_classes):
    """Defines the flags the models declare (their `cli_flags`), each name once; all default to None,
    so a flag left out leaves the model's own default."""
    for cls in model_classes:
        for flag in cls.cli_flags:
            if flag.name in FLAGS:
                continue
            if flag.values:
                flags.DEFINE_enum(flag.name, None, list(flag.values), flag.help)
            elif flag.kind is str:
                flags.DEFINE_string(flag.name, None, flag.help)
            else:
                KINDS[flag.kind](flag.name, None, flag.help)
            MODEL_FLAGS.add(flag.name)


MODEL_FLAGS = set()


def _model_class():
    """The class --model names (kerasgan.registry.get); UsageError listing the names otherwise."""
    from kerasgan import registry

    try:
        cls = registry.get(FLAGS.model)
    except ValueError as error:
        message = str(error)
        if message.startswith("unknown model"):
            message = message.replace(f"{FLAGS.model!r}:", f"{FLAGS.model!r} (--model):", 1)
        raise UsageError(message) from None
    define_model_flags([cls])
    ignored = sorted(name for name in MODEL_FLAGS - {flag.name for flag in cls.cli_flags} if FLAGS[name].present)
    if ignored:
        raise UsageError(
            f"{', '.join('--' + name for name in ignored)} does not apply to --model={FLAGS.model}: "
            f"its flags are {', '.join('--' + flag.name for flag in cls.cli_flags) or 'none of its own'}"
        )
    return cls


def parse_flags(argv):
    """Parses `argv` (["kerasgan", "--flag=value", ...]) into FLAGS as the kerasgan command does, the flags
    of every registered model (and of a --model=package.module:Class in `argv`) defined first."""
    _define_flags_of_models(argv)
    return _parse_flags(argv)


def build_model(element_spec):
    """The model --model names, sized for a dataset's `element_spec` and set by the parsed flags."""
    return _model_class().from_flags(FLAGS, element_spec)


def model_and_data():
    """(dataset, steps per epoch, model): what `kerasgan train` builds from the parsed flags, the model
    not yet compiled, the dataset one repeated stream (kerasgan.checkpoints.stream)."""
    cls = _model_class()
    dataset, steps = _stream(cls)
    return dataset, steps, cls.from_flags(FLAGS, dataset.element_spec)


def _stream(cls):
    """(the training data as one repeated stream, batches per epoch: --steps_per_epoch or one pass)."""
    from kerasgan import checkpoints

    dataset, steps = checkpoints.stream(cls.training_data(FLAGS))
    return dataset, FLAGS.steps_per_epoch or steps


def _examples(model, count=8):
    """A fixed batch of `count` (first, second) examples of --dataset to translate, or None for a sampler."""
    if not hasattr(model, "translation_rows"):
        return None
    batch = next(iter(type(model).training_data(FLAGS, FLAGS.split, count, shuffle=False)))
    return tuple(part.numpy() for part in batch) if isinstance(batch, tuple) else (batch.numpy(),)


JIT_COMPILE = {"auto": "auto", "true": True, "false": False}


def _take_deprecated_mixed_precision():
    """--mixed_precision (kerasgan 0.1) as the --precision it meant: float16 with a GPU, bfloat16 otherwise."""
    import tensorflow as tf

    if FLAGS.mixed_precision is None:
        return
    meant = "float32" if not FLAGS.mixed_precision else "float16" if tf.config.list_physical_devices("GPU") else "bfloat16"
    print(f"kerasgan: warning: --mixed_precision is deprecated: use --precision={meant}", file=sys.stderr)
    FLAGS.precision = meant


def train():
    """Trains a zoo model on a dataset; writes the run folder and a SavedModel version.

    Under --strategy=multi_worker every worker runs this; all of them train and draw the
    pictures (predict is a collective computation there), and only the chief writes files.
    """
    import keras
    import tensorflow as tf

    from kerasgan import callbacks, checkpoints, distribute, export, guards, plots, registry, runs, saving

    if not FLAGS.output_dir:
        raise UsageError("train needs --output_dir, the folder for this run's samples, logs and model")
    if os.path.isfile(FLAGS.output_dir):
        raise UsageError(f"--output_dir={FLAGS.output_dir} is a file: name a folder")
    model_path = os.path.join(FLAGS.output_dir, runs.MODEL)
    if os.path.exists(model_path):
        raise UsageError(f"{model_path} exists: this run has finished; choose a new --output_dir so that it is kept")
    export_dir = FLAGS.export_dir or os.path.join(FLAGS.output_dir, runs.SAVED_MODELS)
    # First: a multi-worker strategy sets up collectives, which must happen before TensorFlow's runtime starts.
    strategy = distribute.strategy(FLAGS.strategy, tpu=FLAGS.tpu)
    chief = distribute.is_chief(strategy)
    _take_deprecated_mixed_precision()
    keras.utils.set_random_seed(FLAGS.seed)
    if FLAGS.deterministic:
        tf.config.experimental.enable_op_determinism()
    cls = _model_class()
    # One repeated stream, so that a resumed run reads the batches an uninterrupted one would.
    dataset, steps = _stream(cls)
    with strategy.scope():
        model = cls.from_flags(FLAGS, dataset.element_spec)
        model.compile(
            generator_optimizer=_optimizer(FLAGS.generator_learning_rate, model.default_generator_optimizer),
            discriminator_optimizer=_optimizer(
                FLAGS.discriminator_learning_rate, model.default_discriminator_optimizer
            ),
            jit_compile=JIT_COMPILE[FLAGS.jit_compile],
        )
    logs = os.path.join(FLAGS.output_dir, "logs")
    run_callbacks = [keras.callbacks.TensorBoard(logs)] if chief else []
    run_callbacks += model.training_callbacks(FLAGS)
    samples = model.draws_samples  # a classifier's picture is the decision boundary below
    examples = _examples(model) if samples else None
    if samples:
        run_callbacks.append(
            callbacks.SampleGrid(
                os.path.join(FLAGS.output_dir, "samples"), seed=FLAGS.seed, every=FLAGS.sample_every, log_dir=logs,
                examples=examples,
            )
        )
    if FLAGS.quality_every:
        run_callbacks.append(callbacks.QualityMetrics(
            cls.scored_dataset(FLAGS), every=FLAGS.quality_every, num_images=FLAGS.quality_images, seed=FLAGS.seed,
            feature_extractor=FLAGS.feature_extractor, log_dir=logs,
        ))
    collapse = None
    if samples and not examples and FLAGS.collapse_threshold:
        collapse = guards.ModeCollapseWarning(
            _real_samples(), threshold=FLAGS.collapse_threshold, patience=FLAGS.collapse_patience, seed=FLAGS.seed,
            every=FLAGS.sample_every,
        )
        run_callbacks.append(collapse)
    guard = guards.DivergenceGuard(weight_every=FLAGS.checkpoint_every)
    # Last: the schedules read the starting learning rates before it restores a checkpoint, and the
    # quality scores are in the epoch logs it keeps.
    saver = checkpoints.Checkpoints(
        os.path.join(FLAGS.output_dir, "checkpoints"), every=FLAGS.checkpoint_every, keep=FLAGS.keep_checkpoints
    )
    run_callbacks += [guard, saver]
    _check_export_dir(model, export_dir)  # before training, not after it
    if chief:
        runs.write_flags(FLAGS.output_dir, FLAGS)
    model.fit(
        dataset, steps_per_epoch=steps, epochs=FLAGS.epochs, validation_data=cls.validation_data(FLAGS),
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
    version = export.saved_model(model, os.path.join(export_dir, registry.export_name(model)))
    runs.keep_newest(saver.directory, 1)  # the finished model is model.keras; the last checkpoint stays
    print(f"picture:     {picture}\nmodel:       {model_path}\nSavedModel:  {version}\nTensorBoard: tensorboard --logdir {logs}")
    print(f"precision:   {model.precision} (--precision={FLAGS.precision})")
    measured = model.jit_choice.result if getattr(model, "jit_choice", None) else None
    if measured:
        print(f"XLA:         {'on' if measured['jit_compile'] else 'off'} (--jit_compile=auto measured "
              f"{measured['on_ms']:.1f} ms/step with XLA, {measured['off_ms']:.1f} without)")
    elif FLAGS.deterministic or FLAGS.jit_compile != "auto":
        chosen_by = "--deterministic" if FLAGS.jit_compile == "auto" else f"--jit_compile={FLAGS.jit_compile}"
        print(f"XLA:         {'on' if model.jit_compile else 'off'} ({chosen_by})")
    if collapse is not None and collapse.summary():
        print(f"diversity:   {collapse.summary()}")
    print(f"run folder:  {runs.describe_size(FLAGS.output_dir)}")


def _check_export_dir(model, export_dir):
    """UsageError unless `model` may become the next SavedModel version under <export_dir>/<model name>."""
    from kerasgan import export, registry

    try:
        export.check_same_model(model, os.path.join(export_dir, registry.export_name(model)))
    except ValueError as error:
        problem = str(error).split(". Export to another base path")[0]
        raise UsageError(f"{problem}. Pass another --export_dir (the SavedModel goes to <export_dir>/"
                         f"{registry.export_name(model)}/<version>/)") from None


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
    """A classifier on 2-D data: its decision regions over labelled source and target points; None for images."""
    from kerasgan import data, plots

    if model.input_shape != (2,):
        return None
    domains = {
        role: data.examples(name, FLAGS.split, with_labels=True)
        for role, name in (("source", FLAGS.dataset), ("target", FLAGS.target_dataset))
    }
    return plots.save_decision_boundary(model, domains, path)


def _source():
    """Where the model comes from: (the .keras file or preset folder to load, the folder whose run.flags names
    its data, the path exports are named after): --model_path's file and run folder, or --preset's folder and
    ./<preset>.keras."""
    from kerasgan import presets, runs

    if FLAGS.preset is None:
        if not FLAGS.model_path:
            raise UsageError(
                "this command needs --model_path, a .keras file (or the run folder) written by kerasgan train, or "
                "--preset, a trained model (kerasgan presets lists them)"
            )
        path = runs.model_file(FLAGS.model_path)
        return path, os.path.dirname(path), path
    if FLAGS.model_path:
        raise UsageError("--model_path and --preset both name a model: give one of them")
    path = presets.resolve(FLAGS.preset)
    if presets.is_preset(path):
        return path, path, os.path.abspath(os.path.basename(os.path.normpath(path)) + ".keras")
    path = runs.model_file(path)
    return path, os.path.dirname(path), path


def _load_model(source=None, run_data=True):
    """The zoo model --model_path (a .keras file or a run folder holding model.keras) or --preset names, which
    must be --model's class when given; with `run_data`, data flags left out are taken from the run's (or the
    preset's) run.flags (the data it trained on). `source`: _source()'s answer when the caller needs it too."""
    from kerasgan import presets, runs, saving

    path, data_folder, _ = source or _source()
    taken = runs.apply_data_flags(data_folder, FLAGS) if run_data else []
    if taken:
        print(f"kerasgan: {' '.join(taken)} (from {os.path.join(data_folder, runs.FLAGS_FILE)})", file=sys.stderr)
    model_class = _model_class() if FLAGS["model"].present else None
    if presets.is_preset(path):
        return presets.load(path, model_class)
    return saving.load_model(path, model_class)


def sample():
    """Draws `--num_images` samples from a saved model into a PNG grid; a translator
    translates the first --num_images examples of --dataset's --split instead."""
    model = _load_model()
    if hasattr(model, "translation_rows") and not FLAGS["dataset"].present:
        raise UsageError(
            f"{type(model).__name__} translates examples of a dataset: pass --dataset (the one it was trained on) "
            "and --split=test for held-out ones"
        )
    examples = _examples(model, FLAGS.num_images or 8)
    if FLAGS.captions:
        if not hasattr(model, "captions"):
            raise UsageError(f"--captions is for text-to-image models; {type(model).__name__} draws without captions")
        from kerasgan import text

        try:
            text.tokenize(FLAGS.captions)
        except ValueError as error:
            raise UsageError(str(error)) from None
        model.captions = FLAGS.captions
    if not model.draws_samples:
        raise UsageError(f"{type(model).__name__} {model.sampling_alternative}: use kerasgan export, or the model in Python")
    print(f"samples: {_save_samples(model, FLAGS.output or 'samples.png', examples)}")


def _save_samples(model, path, examples=None, write=True):
    """--num_images fixed-seed samples as a PNG (one column per class for a conditional model); a translator's
    rows of `examples`. With write=False the samples are drawn but not written (returns None)."""
    from kerasgan import plots

    images, columns = plots.picture(model, FLAGS.num_images, FLAGS.seed, examples)
    return plots.save_samples(images, path, scale=2, columns=columns) if write else None


def export_model():
    """Exports a saved model as a SavedModel version, a TFLite file or an ONNX file."""
    from kerasgan import export, registry, runs

    source = _source()
    model = _load_model(source, run_data=False)  # an export reads no data
    model_path = source[2]
    if FLAGS.format == "saved_model":
        export_dir = FLAGS.export_dir or os.path.join(os.path.dirname(model_path), runs.SAVED_MODELS)
        _check_export_dir(model, export_dir)
        path = export.saved_model(model, os.path.join(export_dir, registry.export_name(model)))
        print(f"SavedModel: {path}")
        return
    if FLAGS.format == "onnx":
        output = FLAGS.output or runs.export_path(model_path, FLAGS.signature, extension=".onnx")
        with _native_logs_unless_verbose():  # the converter's notices
            path = export.onnx(model, output, signature=FLAGS.signature)
            inputs = export.onnx_default_inputs(model, FLAGS.signature)
            parity = export.onnx_parity(model, path, inputs, signature=FLAGS.signature) if inputs else None
        checked = (f"against Keras on 16 inputs in onnxruntime: max abs error {parity['max_abs_error']:.2g}, mean "
                   f"{parity['mean_abs_error']:.2g}" if parity else "its inputs are not serving_examples': parity not checked")
        print(f"ONNX: {path} ({os.path.getsize(path) / 1024:.0f} KiB); {checked}")
        return
    quantize = None if FLAGS.quantize == "none" else FLAGS.quantize
    output = FLAGS.output or runs.export_path(model_path, FLAGS.signature, quantize)
    with _native_logs_unless_verbose():  # the converter's and LiteRT's C++ notices
        path = export.tflite(model, output, quantize=quantize, signature=FLAGS.signature)
        parity = export.tflite_parity(model, path, signature=FLAGS.signature)
    print(
        f"TFLite: {path} ({os.path.getsize(path) / 1024:.0f} KiB); against Keras on 16 inputs: "
        f"max abs error {parity['max_abs_error']:.2g}, mean {parity['mean_abs_error']:.2g}"
    )


def evaluate():
    """Prints the scores of a saved model on --dataset (held-out --split, test unless given), each beside
    real data's (the floor: as many training images scored the same way): kerasgan.evaluation."""
    from kerasgan import evaluation, runs

    source = _source()
    model = _load_model(source)
    if not FLAGS["dataset"].present:
        raise UsageError("evaluate needs --dataset, the data the model was trained on (its --split=test is scored)")
    split = FLAGS.split if FLAGS["split"].present else "test"
    trained_on = runs.read_flags(source[1]).get("split")
    if trained_on == "all" and split != "train":
        print(f"kerasgan: note: this model trained on split=all, which holds the {split} images it is scored on",
              file=sys.stderr)
    scores = evaluation.evaluate(
        model, FLAGS.dataset, split=split, num_images=FLAGS.num_images, seed=FLAGS.seed,
        feature_extractor=FLAGS.feature_extractor,
    )
    floor = evaluation.floor(model, FLAGS.dataset, split, scores, feature_extractor=FLAGS.feature_extractor)
    print(f"{type(model).__name__} on {FLAGS.dataset} ({split}):")
    width = max(len(name) for name in scores) + 2
    if floor:
        print(f"  {'':<{width}}{'model':>10}  {'real data':>10}")
    for name, value in scores.items():
        real = floor.get(name) if floor and name != "examples" else None
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"  {name + ':':<{width}}{shown:>10}" + (f"  {real:>10.4g}" if real is not None else ""))
    if floor:
        print(f"  real data: {evaluation.FLOOR_NOTE}")
    if FLAGS.output:
        with open(FLAGS.output, "w") as handle:
            json.dump({**scores, **({"real_data": floor} if floor else {})}, handle, indent=1)


def list_presets():
    """Prints the trained models shipped with kerasgan: each one's class, size, scores and the command that trained it."""
    from kerasgan import presets

    for name in presets.names():
        info = presets.info(name)
        scores = ", ".join(f"{key} {value:.4g}" for key, value in info.get("scores", {}).items() if isinstance(value, float))
        print(f"{name} ({info['model']}, {presets.size(name) / 1e6:.1f} MB): {info.get('description', '')}")
        print(f"  scores: {scores} ({info.get('protocol', 'protocol not recorded')})")
        print(f"  trained by: {info.get('recipe', 'not recorded')}")
        cls = registry.get(info["model"])
        command = (f"kerasgan sample --preset={name}" if cls.draws_samples  # a classifier's use is its score
                   else f"kerasgan evaluate --preset={name} --dataset={info['check']['dataset']}")
        print(f"  use: {command}, or {cls.__name__}.from_preset({name!r})")


def _native_logs_unless_verbose():
    """Captures the C++ libraries' notices inside the block (kerasgan.quiet) unless --verbosity asks for them."""
    return contextlib.nullcontext() if quiet.verbosity_asked(sys.argv) else quiet.native_stderr_captured()


def _warning_line(message, category, *_, **__):
    """A warning as the command prints it: one line, `kerasgan: warning: ...`."""
    return f"kerasgan: warning: {_one_line(message)}\n"


def _one_line(error):
    """The message of `error` on one line: its lines joined with '; '."""
    return "; ".join(line.strip() for line in str(error).splitlines() if line.strip())


def main(argv):
    if not quiet.verbosity_asked(sys.argv):
        logging.set_verbosity(logging.WARNING)
        # kerasgan's notices (how a folder was split, say) as plain lines, not absl's "W1206 02:21:58.96 ..." records
        logging.get_absl_handler().setFormatter(pylogging.Formatter("kerasgan: %(message)s"))
        # TensorFlow's Python-side notices about its own internals (the TFLite calibrator's Interpreter, say).
        warnings.filterwarnings("ignore", module=r"(tensorflow|keras|tf_keras)(\.|$)")
        warnings.filterwarnings("ignore", message=r".*tf\.lite\.Interpreter is deprecated")
    warnings.formatwarning = _warning_line
    commands = argv[1:]
    if len(commands) != 1 or commands[0] not in COMMANDS:
        raise UsageError(f"usage: kerasgan {{{'|'.join(COMMANDS)}}} [--flags]; got {' '.join(commands) or 'no command'}")
    try:
        if commands[0] == "train" or FLAGS["model"].present:
            _model_class()  # before any data is read
        {"train": train, "sample": sample, "export": export_model, "evaluate": evaluate, "presets": list_presets}[commands[0]]()
    except (ValueError, FileExistsError, FileNotFoundError, ImportError) as error:
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


def _define_flags_of_models(argv):
    """Defines the flags of every registered model, and of a --model=package.module:Class named in `argv`."""
    from kerasgan import registry

    define_model_flags(registry.models().values())
    for argument in argv:
        name = argument.partition("=")[2] if argument.startswith("--model=") else ""
        if ":" in name:
            try:
                define_model_flags([registry.get(name)])
            except ValueError:
                pass  # main reports it as a usage error


def run():
    """Console-script entry point."""
    _define_flags_of_models(sys.argv)
    if cli_help.asked(sys.argv):
        _print_help(sys.argv)
        return
    try:
        app.run(main, flags_parser=_parse_flags)
    except UsageError as error:
        print(f"kerasgan: error: {_one_line(error)}", file=sys.stderr)
        sys.exit(2)


def _print_help(argv):
    """`kerasgan --help` (the commands) or `kerasgan <command> --help` (its flags, with --model's own)."""
    command = cli_help.command_of(argv)
    if command is None:
        print(cli_help.overview(registry.names()))
        return
    rest = [argument for argument in argv if argument not in cli_help.HELP_ARGUMENTS and argument != command]
    model_class = None
    try:
        _parse_flags(rest)
        model_class = registry.get(FLAGS.model) if FLAGS["model"].present else None
    except ValueError as error:
        print(f"kerasgan: error: {_one_line(error)}", file=sys.stderr)
    print(cli_help.command_help(command, model_class))


if __name__ == "__main__":
    run()
