"""A preset's files, written into a folder in one step and read back with every check a damaged copy fails.

A preset folder holds preset.json (the model's registered name and config, the names and shapes of the
weights stored, and what the caller adds: how the model was made and its scores), weights.npz (the weights of
the model's inference networks, `serving_networks()`, float32 ones stored in float16 unless asked otherwise)
and, when given, the run.flags of the training run (whose data flags `kerasgan sample` reads).

weights_dtype="int8" stores each large kernel (INT8_SIZE values or more) as int8 with one float32 scale per
slice along its last axis, max |w| / 127 (symmetric per-channel weight quantization, Krishnamoorthi 2018,
"Quantizing deep convolutional networks for efficient inference: A whitepaper", arXiv:1806.08342), and the
rest in float16: a quarter of float32's size for DCGAN's 6.4M-weight dense layer. It is
storage only: the loaded model computes in float32. numpy has no such codec and Keras' own int8 quantization
changes the layers the model computes with, hence these few lines.
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
DTYPES = ("float16", "float32", "int8")
INT8_SIZE = 65536


def write(model, folder, metadata, weights_dtype="float16", run_flags=None):
    """Writes `model` as a preset into `folder`, which must not exist; a crash leaves no partial folder.

    Args:
        model: a kerasgan model; the weights of its `serving_networks()` are stored.
        folder: the preset folder to create.
        metadata: JSON values to keep in preset.json beside the model's config (recipe, seed, scores, ...).
        weights_dtype: "float16" (half the size), "int8" (large kernels in int8 with per-channel scales, the rest
            in float16) or "float32"; weights of other dtypes (counters) are stored as they are.
        run_flags: a run.flags file to copy in, or None.
    """
    from kerasgan import registry

    if weights_dtype not in DTYPES:
        raise ValueError(f"weights_dtype must be one of {', '.join(DTYPES)}, got {weights_dtype!r}")
    folder = os.path.abspath(folder)
    if os.path.exists(folder):
        raise FileExistsError(f"{folder} already exists: kerasgan never overwrites it; choose another folder")
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    partial = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.", dir=os.path.dirname(folder))
    os.chmod(partial, 0o755)  # mkdtemp's folder is private to its owner; a preset is read by everyone
    try:
        variables = [variable for network in model.serving_networks() for variable in network.weights]
        arrays = {}
        for index, variable in enumerate(variables):
            arrays.update(_stored(f"w{index}", variable, weights_dtype))
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


def _stored(key, variable, weights_dtype):
    """{key: the stored array} and, for an int8 kernel, {"scale_" + key: its per-channel scales}."""
    value = keras.ops.convert_to_numpy(variable)
    if value.dtype != np.float32 or weights_dtype == "float32":
        return {key: value}
    if weights_dtype == "int8" and value.ndim >= 2 and value.size >= INT8_SIZE:
        flat = value.reshape(-1, value.shape[-1])
        scale = np.maximum(np.abs(flat).max(axis=0), np.finfo(np.float32).tiny) / 127.0
        return {key: np.round(value / scale).astype(np.int8), f"scale_{key}": scale.astype(np.float32)}
    stored = value.astype(np.float16)
    if not np.all(np.isfinite(stored)):
        raise ValueError(f"{variable.path} holds values beyond float16's range: write the preset with weights_dtype='float32'")
    return {key: stored}


def _restored(archive, key):
    """The float array stored under `key` (an int8 one times its scales)."""
    array = archive[key]
    return array.astype(np.float32) * archive[f"scale_{key}"] if array.dtype == np.int8 else array


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
            arrays = [_restored(archive, f"w{index}") for index in range(len(metadata["weights"]))]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise damaged(folder, f"{WEIGHTS}: {error}") from None
    variables = [variable for network in model.serving_networks() for variable in network.weights]
    shapes = [tuple(variable.shape) for variable in variables]
    if shapes != [tuple(shape) for _, shape in metadata["weights"]] or shapes != [array.shape for array in arrays]:
        raise damaged(folder, f"its weights do not fit the {type(model).__name__} its config builds")
    for variable, array in zip(variables, arrays):
        variable.assign(array.astype(variable.dtype))
