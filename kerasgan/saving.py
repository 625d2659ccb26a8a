"""Writing user artifacts so that a crash never leaves a half-written file; reading back zoo models."""
import json
import os
import tempfile
import zipfile


def save_atomically(model, path, overwrite=True):
    """model.save into a temporary file in `path`'s folder, then moved to `path` in one step.

    With overwrite=False an existing `path` is a FileExistsError, even one that appears while saving.
    """
    write_file(path, model.save, overwrite=overwrite, suffix=".keras")


def write_file(path, write, overwrite=False, suffix=""):
    """Calls `write(temporary path)` in `path`'s folder, then moves the file to `path` in one step: a crash
    leaves `path` whole or absent, never half-written. Unless `overwrite`, an existing `path` is never replaced."""
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists: kerasgan never overwrites it; choose another path")
    folder, name = os.path.split(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.close(handle)
    try:
        write(partial)
        if overwrite:
            os.replace(partial, path)
        else:
            # A hard link, unlike a rename, fails when `path` has appeared meanwhile.
            os.link(partial, path)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists: kerasgan never overwrites it; choose another path") from None
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def load_model(path, model_class=None):
    """The zoo model saved at `path` (a .keras file), optimizers included; ValueError for anything else.

    `model_class` (a zoo class such as DCGAN, or its name such as "dcgan") is the class the
    file must hold.
    """
    import keras

    from kerasgan.zoo import MODELS  # registers the zoo classes for deserialization

    names = {cls.__name__: name for name, cls in MODELS.items()}
    if isinstance(model_class, str):
        if model_class not in MODELS:
            raise ValueError(f"unknown model {model_class!r}: use one of {', '.join(MODELS)}")
        model_class = MODELS[model_class]
    if model_class is not None and model_class not in MODELS.values():
        raise ValueError(f"model_class must be a zoo class ({', '.join(names)}), got {model_class!r}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such model file: {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ValueError(
            f"{path} is not a readable .keras file ({error}): name a model.keras written by kerasgan train or model.save"
        ) from error
    config = config if isinstance(config, dict) else {}
    registered = str(config.get("registered_name"))
    found = registered.removeprefix("kerasgan>")
    if not (registered.startswith("kerasgan>") and found in names):
        raise ValueError(
            f"{path} holds a {config.get('class_name', 'model')}, not a kerasgan zoo model "
            f"({', '.join(names)}): name a model.keras written by kerasgan train"
        )
    if model_class is not None and found != model_class.__name__:
        raise ValueError(
            f"{path} holds a {found}, not a {model_class.__name__}: ask for {found} "
            f"(model_class={found}, --model={names[found]}) or leave the class out"
        )
    try:
        return keras.models.load_model(path)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ValueError(f"{path} holds a {found} that does not load ({error}): the file may be damaged") from error
