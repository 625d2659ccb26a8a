"""The model's serving endpoints as a SavedModel with named signatures, for TF Serving."""
import keras

from kerasgan.export import compatible, versions


def write(model, path):
    """Writes a SavedModel of `model.serving_endpoints()` to `path` (a new folder)."""
    archive = keras.export.ExportArchive()
    for network in model.serving_networks():
        archive.track(network)
    for name, (function, specs) in model.serving_endpoints().items():
        archive.add_endpoint(name, function, input_signature=specs)
    archive.write_out(path, verbose=False)


def saved_model(model, base_path, version=None):
    """Writes base_path/<version>/ (next free when None), TF Serving's layout; returns the path.

    Signatures are the model's `serving_endpoints()`; for GANs `serving_default`
    (`z` -> `images` in [-1, 1]) and `generate` (`num_images`, `seed` -> `images_uint8`).
    The version records the model's class in assets.extra/kerasgan.json. A model of another
    class or with other signatures than base_path's newest version raises ValueError before
    anything is written (`compatible.check_same_model`): TF Serving serves the newest version.
    """
    compatible.check_same_model(model, base_path)
    return versions.write_version(base_path, version, lambda path: write_version_folder(model, path))


def write_version_folder(model, path):
    """Writes the SavedModel and its assets.extra/kerasgan.json (the model's class) to `path`."""
    write(model, path)
    compatible.write_metadata(model, path)
