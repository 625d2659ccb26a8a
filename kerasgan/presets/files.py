"""A preset's files, written into a folder in one step and read back with every check a damaged copy fails.

A preset folder holds preset.json (the model's registered name and config, the names and shapes of the
weights stored, and what the caller adds: how the model was made and its scores), weights.npz (the weights of
the model's inference networks, `serving_networks()`, float32 ones stored in float16 unless asked otherwise)
and, when given, the run.flags of the training run (whose data flags `kerasgan sample` reads).
"""
import json
import os
import shutil
import tempfile
import zipfile

import keras
import numpy as np

METADATA = "preset.json"
WEIGHTS = "weights.npz"
FORMAT = 1


def write(model, folder, metadata, weights_dtype="float16", run_flags=None):
    """Writes `model` as a preset into `folder`, which must not exist; a crash leaves no partial folder.

    Args:
        model: a kerasgan model; the weights of its `serving_networks()` are stored.
        folder: the preset folder to create.
        metadata: JSON values to keep in preset.json beside the model's config (recipe, seed, scores, ...).
        weights_dtype: "float16" (half the size) or "float32"; other dtypes (counters) are stored as they are.
        run_flags: a run.flags file to copy in, or None.
    """
    from kerasgan import registry

    if weights_dtype not in ("float16", "float32"):
        raise ValueError(f"weights_dtype must be float16 or float32, got {weights_dtype!r}")
    folder = os.path.abspath(folder)
    if os.path.exists(folder):
        raise FileExistsError(f"{folder} already exists: kerasgan never overwrites it; choose another folder")
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    partial = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.", dir=os.path.dirname(folder))
    os.chmod(partial, 0o755)  # mkdtemp's folder is private to its owner; a preset is read by everyone
    try:
        variables = [variable for network in model.serving_networks() for variable in network.weights]
        arrays = {f"w{index}": _stored(variable, weights_dtype) for index, variable in enumerate(variables)}
        np.savez_compressed(os.path.join(partial, WEIGHTS), **arrays)
        described = {
            "format": FORMAT,
            "model": registry.name_of(model),
            "config": keras.saving.serialize_keras_object(model),
            "networks": [network.name for network in model.serving_networks()],
            "weights": [[variable.path, list(variable.shape)] for variable in variables],
            "weights_dtype": weights_dtype,
            **metadata,
        }
        with open(os.path.join(partial, METADATA), "w") as handle:
            json.dump(described, handle, indent=1)
        if run_flags:
            shutil.copyfile(run_flags, os.path.join(partial, os.path.basename(run_flags)))
        os.rename(partial, folder)  # fails, and the finally removes `partial`, when `folder` appeared meanwhile
    except OSError as error:
        if os.path.exists(folder):
            raise FileExistsError(f"{folder} already exists: kerasgan never overwrites it; choose another folder") from error
        raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def _stored(variable, weights_dtype):
    value = keras.ops.convert_to_numpy(variable)
    if value.dtype != np.float32 or weights_dtype == "float32":
        return value
    stored = value.astype(weights_dtype)
    if not np.all(np.isfinite(stored)):
        raise ValueError(f"{variable.path} holds values beyond float16's range: write the preset with weights_dtype='float32'")
    return stored


def damaged(folder, detail):
    return ValueError(f"the preset {folder} is damaged ({detail}): reinstall kerasgan, or write the preset again")


def read_metadata(folder):
    """preset.json of `folder` as a dict; ValueError naming the folder if it is missing or damaged."""
    try:
        with open(os.path.join(folder, METADATA)) as handle:
            metadata = json.load(handle)
    except (OSError, ValueError) as error:
        raise damaged(folder, error) from None
    missing = [key for key in ("format", "model", "config", "weights") if key not in metadata] if isinstance(metadata, dict) else ["all"]
    if missing:
        raise damaged(folder, f"{METADATA} lacks {', '.join(missing)}")
    if metadata["format"] != FORMAT:
        raise ValueError(f"the preset {folder} has format {metadata['format']}; this kerasgan reads format {FORMAT}: upgrade kerasgan")
    return metadata


def assign_weights(model, folder, metadata):
    """Sets the weights of `model.serving_networks()` from `folder`'s weights.npz; ValueError when the file is
    damaged or holds other weights than the model has."""
    try:
        with np.load(os.path.join(folder, WEIGHTS), allow_pickle=False) as archive:
            arrays = [archive[f"w{index}"] for index in range(len(metadata["weights"]))]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise damaged(folder, f"{WEIGHTS}: {error}") from None
    variables = [variable for network in model.serving_networks() for variable in network.weights]
    shapes = [tuple(variable.shape) for variable in variables]
    if shapes != [tuple(shape) for _, shape in metadata["weights"]] or shapes != [array.shape for array in arrays]:
        raise damaged(folder, f"its weights do not fit the {type(model).__name__} its config builds")
    for variable, array in zip(variables, arrays):
        variable.assign(array.astype(variable.dtype))
