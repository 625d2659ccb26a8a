"""The kerasgan command's help: `kerasgan --help` lists the commands, `kerasgan <command> --help` that command's flags.

absl's own --help shows only the flags of the program's main module (none here: the console
script is a stub), and --helpfull every flag of every library in one list; this groups the flags
by command, adds the flags of the model --model names, and leaves absl's out.
"""
import textwrap

from absl import flags

FLAGS = flags.FLAGS
HELP_ARGUMENTS = ("--help", "-h", "--helpshort", "-?", "help")
WIDTH = 100

COMMANDS = {
    "train": "train a model on a dataset or a folder of images; writes a run folder (samples, model.keras, logs)",
    "sample": "draw a grid of samples from a trained model (a translator: translate examples of its dataset)",
    "export": "export a trained model as a SavedModel version for TF Serving, a .tflite file for LiteRT or an .onnx file",
    "evaluate": "score a trained model on held-out data (FID, KID, precision, recall, ...) beside real data's floor",
    "presets": "list the trained models shipped with kerasgan (--preset=NAME for sample, export, evaluate)",
}

DATA = ("dataset", "split", "image_size", "num_samples", "channels", "direction", "target_dataset", "validation_split")
GROUPS = {
    "train": {
        "model and data": ("model",) + DATA,
        "training": (
            "batch_size", "epochs", "steps_per_epoch", "generator_learning_rate", "discriminator_learning_rate", "seed", "jit_compile",
            "precision", "strategy", "tpu", "deterministic", "mixed_precision",
        ),
        "the run folder": (
            "output_dir", "export_dir", "sample_every", "num_images", "checkpoint_every", "keep_checkpoints",
            "collapse_threshold", "collapse_patience", "quality_every", "quality_images", "feature_extractor",
        ),
    },
    "sample": {
        "sample": ("model_path", "preset", "model", "num_images", "seed", "output", "captions"),
        "translators: the examples to translate (default: the run's own data)": (
            "dataset", "split", "image_size", "channels", "direction",
        ),
    },
    "export": {"export": ("model_path", "preset", "model", "format", "export_dir", "output", "signature", "quantize")},
    "evaluate": {
        "evaluate": ("model_path", "preset", "model", "num_images", "seed", "feature_extractor", "output"),
        "the held-out data (default: the run's own dataset, its test split)": ("dataset", "split", "channels", "direction"),
    },
    "presets": {},
}
EVERY_COMMAND = ("flagfile", "verbosity")


def asked(argv):
    """Whether `argv` asks for help (`kerasgan --help`, `kerasgan train -h`, `kerasgan help`)."""
    return any(argument in HELP_ARGUMENTS for argument in argv[1:])


def command_of(argv):
    """The command named in `argv` (the first known one), or None."""
    return next((argument for argument in argv[1:] if argument in COMMANDS), None)


def overview(model_names):
    """`kerasgan --help`: the commands, and how to see each one's flags."""
    width = max(map(len, COMMANDS))
    lines = ["usage: kerasgan <command> [--flags]", "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "kerasgan <command> --help shows the command's flags; kerasgan train --model=<name> --help adds the model's own.",
        f"models (--model): {', '.join(model_names)}, or package.module:Class for a model of your own.",
        "recipes: kerasgan train --flagfile=zoo/<recipe>.flags --output_dir=runs/<name>",
    ]
    return "\n".join(lines)


def command_help(command, model_class=None):
    """`kerasgan <command> --help`: the command's flags by group, with a named model's own flags under train."""
    lines = [f"usage: kerasgan {command} [--flags]: {COMMANDS[command]}"]
    groups = dict(GROUPS[command])
    if command == "train" and model_class is not None:
        own = tuple(flag.name for flag in model_class.cli_flags)
        groups[f"{model_class.__name__}'s own flags (--model={FLAGS.model})"] = own or ()
    elif command == "train":
        groups["the model's own flags"] = ()
        lines.append("")
        lines.append("Add --model=<name> to --help to list the flags of that model.")
    groups["every command"] = EVERY_COMMAND
    for title, names in groups.items():
        if not names:
            continue
        lines += ["", f"{title}:"]
        lines += [line for name in names if name in FLAGS for line in describe(FLAGS[name])]
    return "\n".join(lines)


def describe(flag):
    """A flag as `  --name=default` and its wrapped help."""
    default = "" if flag.default is None else f"={flag.default_as_str.strip(chr(39))}"
    if isinstance(flag.default, bool):
        default = f" (default: --{'' if flag.default else 'no'}{flag.name})"
    help_text = flag.help.split("\n    (an integer")[0]  # absl appends the value type: the wrapped text keeps ours only
    return [f"  --{flag.name}{default}"] + textwrap.wrap(
        help_text, WIDTH, initial_indent="      ", subsequent_indent="      "
    )
