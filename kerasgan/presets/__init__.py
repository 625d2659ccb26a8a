"""Trained models shipped with kerasgan, loaded offline: `DCGAN.from_preset("dcgan_mnist")`.

Each preset is a folder of this package (kerasgan.presets.files) made by `make presets` from a benchmark run:
the weights of the model's inference networks in float16 (large kernels in int8 where the size budget asks for
it, kerasgan.presets.files), its config, the command and seed that trained it,
the scores the benchmark measured, and one cheap score (`check`) measured on the preset itself, which the
tests measure again. The discriminators are not stored: a preset's discriminator starts untrained.
"""
import os

from kerasgan.presets import files

FOLDER = os.path.dirname(os.path.abspath(__file__))


def names():
    """The presets shipped with kerasgan, sorted."""
    return sorted(entry for entry in os.listdir(FOLDER) if os.path.isfile(os.path.join(FOLDER, entry, files.METADATA)))


def folder_of(name):
    """The folder of the shipped preset `name`; ValueError listing the presets otherwise."""
    if name not in names():
        raise ValueError(
            f"unknown preset {name!r}: the presets are {', '.join(names())} (kerasgan presets lists them), "
            "or give a preset folder, a run folder or a .keras file"
        )
    return os.path.join(FOLDER, name)


def info(name):
    """preset.json of a shipped preset (or a preset folder) as a dict: model, config, recipe, seed, scores, check."""
    return files.read_metadata(resolve(name))


def resolve(preset):
    """The path `preset` names: itself when it exists (a preset folder, a run folder or a .keras file), else the
    folder of the shipped preset of that name; ValueError listing the presets otherwise."""
    path = os.path.expanduser(os.fspath(preset))
    return path if os.path.exists(path) else folder_of(preset)


def is_preset(path):
    """Whether `path` is a preset folder (it holds preset.json)."""
    return os.path.isfile(os.path.join(path, files.METADATA))


def load(preset, model_class=None):
    """The trained model `preset` names, uncompiled.

    Args:
        preset: a shipped preset's name (`names()`), a preset folder, a run folder of `kerasgan train`
            or a .keras file.
        model_class: the class the preset must hold (a subclass of it is fine); None: any.
    """
    from kerasgan import runs, saving

    path = resolve(preset)
    if is_preset(path):
        return _load_folder(path, model_class)
    if os.path.isdir(path) and not os.path.isfile(os.path.join(path, runs.MODEL)):
        raise ValueError(f"{path} is neither a preset folder (with {files.METADATA}) nor a finished run folder (with {runs.MODEL})")
    model = saving.load_model(runs.model_file(path))
    _check_class(type(model), model_class, preset)
    return model


def save(model, folder, weights_dtype="float16", run_flags=None, **metadata):
    """Writes `model` as a preset folder that `load` and `from_preset` read (kerasgan.presets.files.write).

    Args:
        model: a kerasgan model.
        folder: the folder to create; an existing one is never overwritten.
        weights_dtype: "float16", "int8" (large kernels in int8 with per-channel scales, the rest in float16)
            or "float32": how float weights are stored.
        run_flags: the run.flags of the run that trained it, or None.
        **metadata: JSON values kept in preset.json: description, recipe, seed, scores, check.
    """
    return files.write(model, folder, metadata, weights_dtype=weights_dtype, run_flags=run_flags)


def _load_folder(folder, model_class):
    import keras

    from kerasgan import registry

    metadata = files.read_metadata(folder)
    try:
        cls = registry.get(metadata["model"])
    except ValueError as error:
        raise files.damaged(folder, error) from None
    _check_class(cls, model_class, folder)
    try:
        model = keras.saving.deserialize_keras_object(metadata["config"])
    except (TypeError, ValueError, KeyError) as error:
        raise files.damaged(folder, f"its config does not build a {cls.__name__}: {error}") from None
    files.assign_weights(model, folder, metadata)
    averaged = getattr(model, "averaged_generator", None)
    if averaged is not None and averaged in model.serving_networks():
        model.generator.set_weights(averaged.get_weights())  # fine-tuning starts from the weights sampled from
    return model


def _check_class(found, model_class, preset):
    if model_class is not None and not issubclass(found, model_class):
        raise ValueError(
            f"{preset} holds a {found.__name__}, not a {model_class.__name__}: load it with "
            f"{found.__name__}.from_preset({str(preset)!r}) or kerasgan.presets.load"
        )


def check_score(model, metadata):
    """The preset's cheap score measured again: `metadata["check"]` names the metric, data and sample count."""
    check = metadata["check"]
    scores = model.scores(check["dataset"], split=check["split"], num_images=check["num_images"], seed=check["seed"])
    return scores[check["metric"]]


def size(name):
    """Bytes of a shipped preset's files."""
    from kerasgan import runs

    return runs.folder_size(folder_of(name))
