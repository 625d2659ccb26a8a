"""The run folder `kerasgan train` writes: its file names, the flags it ran with, its size on disk."""
import os
import shutil

MODEL = "model.keras"
SAVED_MODELS = "saved_models"
FLAGS_FILE = "run.flags"
CHECKPOINTS = "checkpoints"
# The flags that say which data a model was trained on: `sample`, `export` and `evaluate` take them from the run.
DATA_FLAGS = ("dataset", "image_size", "channels", "direction", "num_samples", "target_dataset")
NOT_RECORDED = ("flagfile", "output_dir")


def write_flags(folder, flag_values):
    """Writes `folder`/run.flags: the flags given to this run, as a --flagfile (unless a resumed run wrote it)."""
    path = os.path.join(folder, FLAGS_FILE)
    if os.path.exists(path):
        return path
    from kerasgan import saving

    lines = [
        flag_values[name].serialize()
        for name in sorted(flag_values)
        if flag_values[name].present and name not in NOT_RECORDED and len(name) > 1
    ]
    text = "# The flags of this kerasgan train run (a --flagfile); sample, export and evaluate read its data flags.\n"
    text += "\n".join(line for line in lines if line) + "\n"

    def write(partial):
        with open(partial, "w") as handle:
            handle.write(text)

    os.makedirs(folder, exist_ok=True)
    saving.write_file(path, write)
    return path


def read_flags(folder):
    """{flag name: value as written} of `folder`/run.flags; {} when there is none."""
    path = os.path.join(folder, FLAGS_FILE)
    if not os.path.isfile(path):
        return {}
    values = {}
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("--"):
                name, _, value = line[2:].partition("=")
                if not _ and name.startswith("no"):
                    name, value = name[2:], "false"
                values[name] = value if _ else value or "true"
    return values


def apply_data_flags(folder, flag_values):
    """Sets the data flags the user left out from the run's run.flags, when --dataset was left out too.

    Returns the flags taken, as `--name=value` strings (empty when none was).
    """
    if flag_values["dataset"].present:
        return []
    recorded = read_flags(folder)
    taken = []
    for name in DATA_FLAGS:
        if name in recorded and name in flag_values and not flag_values[name].present:
            flag_values[name].parse(recorded[name])
            taken.append(f"--{name}={recorded[name]}")
    return taken


def model_file(path):
    """The .keras file `path` names: itself, or the model.keras of a run folder; ValueError naming the problem."""
    if os.path.isdir(path):
        inside = os.path.join(path, MODEL)
        if os.path.isfile(inside):
            return inside
        unfinished = os.path.isdir(os.path.join(path, CHECKPOINTS))
        raise ValueError(
            f"--model_path={path} is a folder without {MODEL}: "
            + ("its run has not finished (run its train command again to resume it)" if unfinished
               else "pass a .keras file written by kerasgan train, or its run folder")
        )
    if not os.path.isfile(path):
        raise ValueError(f"no such model file: {path}")
    return path


def export_path(model_path, signature, quantize=None, extension=".tflite"):
    """The default export file name beside `model_path`: model[_<signature>][_<quantize>]<extension>, so that the
    exports of two signatures (CycleGAN's a_to_b and b_to_a) or two quantizations never take each other's name."""
    from kerasgan.export.tflite import SIGNATURE

    stem = os.path.splitext(model_path)[0]
    parts = [stem] + ([signature] if signature != SIGNATURE else []) + ([quantize] if quantize else [])
    return "_".join(parts) + extension


def keep_newest(checkpoint_folder, count):
    """Deletes all but the `count` newest checkpoints in `checkpoint_folder` (kerasgan.checkpoints' layout)."""
    from kerasgan import checkpoints

    if os.path.isdir(checkpoint_folder):
        for stale in checkpoints.listed(checkpoint_folder)[:-count]:
            shutil.rmtree(stale, ignore_errors=True)


def folder_size(path):
    """Bytes of the files under `path`."""
    return sum(
        os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names
        if not os.path.islink(os.path.join(root, name))
    )


def describe_size(folder):
    """'12.3 MB (model.keras 8.1 MB, checkpoints 4.0 MB, ...)': the run folder's size and its largest parts."""
    parts = {}
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        parts[entry] = folder_size(path) if os.path.isdir(path) else os.path.getsize(path)
    largest = sorted(parts.items(), key=lambda item: -item[1])[:4]
    return f"{folder} {_megabytes(sum(parts.values()))} (" + ", ".join(
        f"{name} {_megabytes(size)}" for name, size in largest
    ) + ")"


def _megabytes(size):
    return f"{size / 1e6:.1f} MB"
