"""Writing user artifacts so that a crash never leaves a half-written file; reading back kerasgan models."""
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
    """The kerasgan model saved at `path` (a .keras file), optimizers included; ValueError for anything else.

    Args:
        path: a .keras file written by `kerasgan train` or `model.save`.
        model_class: the class the file must hold: a model class (a zoo class such as DCGAN, or one's
            own subclass registered with Keras) or a registered name such as "dcgan"; None: any.
    """
    import keras

    from kerasgan import registry

    if isinstance(model_class, str):
        model_class = registry.get(model_class)
    elif model_class is not None:
        model_class = registry.get(model_class)  # ValueError unless a kerasgan model class
    known = {keras.saving.get_registered_name(cls): cls for cls in registry.models().values()}
    if model_class is not None:
        known[keras.saving.get_registered_name(model_class)] = model_class
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
    found = known.get(str(config.get("registered_name")))
    if found is None:
        raise ValueError(
            f"{path} holds a {config.get('class_name', 'model')}, not a kerasgan model "
            f"({', '.join(cls.__name__ for cls in known.values())}): name a model.keras written by kerasgan train"
        )
    if model_class is not None and found is not model_class:
        raise ValueError(
            f"{path} holds a {found.__name__}, not a {model_class.__name__}: ask for {found.__name__} "
            f"(model_class={found.__name__}, --model={registry.name_of(found)}) or leave the class out"
        )
    try:
        return keras.models.load_model(path)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ValueError(f"{path} holds a {found.__name__} that does not load ({error}): the file may be damaged") from error
