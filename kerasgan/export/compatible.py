"""A new SavedModel version must be the same kind of model as the newest one under its base path.

TF Serving serves the newest version under a base path, whatever its shapes, so a version of
another model class or with other serving signatures would silently replace what clients
call. Each version records its model class in assets.extra/kerasgan.json (TF Serving ignores
other files in assets.extra/); signatures are read from saved_model.pb without loading the graph.
"""
import collections.abc
import inspect
import json
import os

import tensorflow as tf
from google.protobuf import message, text_format
from tensorflow.core.protobuf import saved_model_pb2

from kerasgan.export import versions

METADATA = os.path.join("assets.extra", "kerasgan.json")
INTERNAL_SIGNATURES = ("__saved_model_init_op",)  # TF's own, not served


def model_class(model):
    """The model's class as module.name, e.g. "kerasgan.zoo.dcgan.DCGAN"."""
    cls = type(model)
    return f"{cls.__module__}.{cls.__qualname__}"


def write_metadata(model, path):
    """Writes path/assets.extra/kerasgan.json: the model's class and kerasgan's version."""
    import kerasgan

    os.makedirs(os.path.join(path, "assets.extra"), exist_ok=True)
    with open(os.path.join(path, METADATA), "w") as handle:
        json.dump({"class": model_class(model), "kerasgan_version": kerasgan.__version__}, handle)


def saved_class(version_path):
    """The model class recorded in a version's assets.extra/kerasgan.json; None without that file."""
    path = os.path.join(version_path, METADATA)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            return json.load(handle).get("class")
    except (ValueError, AttributeError) as error:
        raise ValueError(f"{path} is not kerasgan's JSON metadata ({error}): fix or remove that file") from None


def _spec(dtype, shape):
    """(dtype name, shape tuple with None for unknown sizes; None for an unknown rank)."""
    return dtype.name, None if shape.rank is None else tuple(shape.as_list())


def _tensor_info_spec(info):
    """The (dtype, shape) of a SignatureDef TensorInfo."""
    return _spec(tf.as_dtype(info.dtype), tf.TensorShape(info.tensor_shape))


def _read_saved_model(version_path):
    """The parsed saved_model.pb (or .pbtxt) of a version folder; None when it holds neither."""
    proto = saved_model_pb2.SavedModel()
    for name, parse in (("saved_model.pb", proto.ParseFromString), ("saved_model.pbtxt", lambda data: text_format.Parse(data, proto))):
        path = os.path.join(version_path, name)
        if os.path.exists(path):
            try:
                with open(path, "rb") as handle:
                    parse(handle.read())
            except (message.DecodeError, text_format.ParseError, UnicodeDecodeError) as error:
                raise ValueError(f"{path} is not a readable SavedModel ({error}): remove that version or export elsewhere") from None
            return proto
    return None


def saved_signatures(version_path):
    """A version's serving signatures, read from its saved_model.pb without loading the graph.

    Returns name -> {"inputs": {key: (dtype, shape)}, "outputs": {...}} of the meta graph TF
    Serving loads (tag "serve"), or None when the folder holds no SavedModel.
    """
    proto = _read_saved_model(version_path)
    if proto is None or not proto.meta_graphs:
        return None
    graphs = [graph for graph in proto.meta_graphs if "serve" in graph.meta_info_def.tags] or list(proto.meta_graphs)
    return {
        name: {
            "inputs": {key: _tensor_info_spec(info) for key, info in signature.inputs.items()},
            "outputs": {key: _tensor_info_spec(info) for key, info in signature.outputs.items()},
        }
        for name, signature in graphs[0].signature_def.items()
        if name not in INTERNAL_SIGNATURES
    }


def model_signatures(model):
    """The signatures `export.saved_model(model, ...)` writes, traced without writing anything.

    Input keys are the endpoint function's argument names and output keys its dict's keys, as
    TensorFlow names them in the SavedModel; same form as `saved_signatures`.
    """
    signatures = {}
    for name, (function, specs) in model.serving_endpoints().items():
        concrete = tf.function(function, input_signature=specs, autograph=False).get_concrete_function()
        outputs = concrete.structured_outputs
        if not isinstance(outputs, collections.abc.Mapping):
            outputs = {f"output_{index}": output for index, output in enumerate(tf.nest.flatten(outputs))}
        signatures[name] = {
            "inputs": {key: _spec(spec.dtype, spec.shape) for key, spec in zip(inspect.signature(function).parameters, specs)},
            "outputs": {key: _spec(tensor.dtype, tensor.shape) for key, tensor in outputs.items()},
        }
    if "serving_default" not in signatures and signatures:  # keras.export aliases the first endpoint
        signatures["serving_default"] = next(iter(signatures.values()))
    return signatures


def newest_saved_version(base_path):
    """(version, its folder) of the newest integer-named folder holding a SavedModel; (None, None) if none."""
    for version in versions.existing_versions(base_path):
        path = os.path.join(base_path, str(version))
        if os.path.isdir(path) and (os.path.exists(os.path.join(path, "saved_model.pb"))
                                    or os.path.exists(os.path.join(path, "saved_model.pbtxt"))):
            return version, path
    return None, None


def _shape_text(shape):
    """(None, 32, 32, 3), () for a scalar, (unknown rank)."""
    return "(unknown rank)" if shape is None else "(" + ", ".join(str(size) for size in shape) + ")"


def _tensors_text(tensors):
    """"z (None, 100)", the dtype named unless float32; tensors sorted by key."""
    return ", ".join(
        f"{key}{'' if dtype == 'float32' else ' ' + dtype} {_shape_text(shape)}" for key, (dtype, shape) in sorted(tensors.items())
    )


def describe(name, signature):
    """One signature as text: "serving_default z (None, 100) -> images (None, 32, 32, 3)"."""
    return f"{name} {_tensors_text(signature['inputs'])} -> {_tensors_text(signature['outputs'])}"


def first_difference(old, new):
    """The first signature that differs, serving_default first: its name, or None when all are equal.

    The name is "" when the two sets of signature names differ.
    """
    if set(old) != set(new):
        return ""
    for name in sorted(old, key=lambda name: (name != "serving_default", name)):
        if old[name] != new[name]:
            return name
    return None


def _suffix(old, new):
    """What names the new signature's difference in a folder: 20x20 (x3 unless 1 channel) for images, z64 for a vector."""
    for key, (dtype, shape) in list(new["outputs"].items()) + list(new["inputs"].items()):
        if (key, (dtype, shape)) in list(old["outputs"].items()) + list(old["inputs"].items()):
            continue
        if shape is not None and len(shape) == 4 and None not in shape[1:]:
            return f"{shape[1]}x{shape[2]}" + ("" if shape[3] == 1 else f"x{shape[3]}")
        sizes = [str(size) for size in shape or () if size is not None]
        return key + ("x".join(sizes) if sizes else f"_{dtype}")
    return "new"


def _short(name):
    """kerasgan.zoo.dcgan.DCGAN -> DCGAN."""
    return name.rsplit(".", 1)[-1]


def check_same_model(model, base_path):
    """Raises ValueError (one line) unless `model` is the same kind as base_path's newest version.

    The same kind: the same model class (when that version recorded one in
    assets.extra/kerasgan.json; older exports and other tools' SavedModels are compared by
    signatures only) and the same serving signatures: names, input and output keys, dtypes and
    shapes. Compares against the newest integer-named folder holding a SavedModel; nothing is
    written, and a base path with no version passes.
    """
    version, path = newest_saved_version(base_path)
    if version is None:
        return
    base = os.path.normpath(os.fspath(base_path))
    old_signatures, new_signatures = saved_signatures(path), model_signatures(model)
    old_class, new_class = saved_class(path), model_class(model)
    held = f"{base} holds version {version}" + ("" if old_class is None else f" of {_short(old_class)}")
    ending = "TF Serving would serve whichever version is newest. Export to another base path"
    name = first_difference(old_signatures, new_signatures)
    if name == "":
        raise ValueError(
            f"{held} with signatures {', '.join(sorted(old_signatures))}; this {_short(new_class)} exports "
            f"{', '.join(sorted(new_signatures))}: {ending} (e.g. {base}_{_short(new_class).lower()})"
        )
    if name is not None:
        raise ValueError(
            f"{held} with {describe(name, old_signatures[name])}; this {_short(new_class)} exports "
            f"{describe(name, new_signatures[name])}: {ending} (e.g. {base}_{_suffix(old_signatures[name], new_signatures[name])})"
        )
    if old_class is not None and old_class != new_class:
        old_name, new_name = (old_class, new_class) if _short(old_class) == _short(new_class) else (_short(old_class), _short(new_class))
        raise ValueError(
            f"{base} holds version {version} of class {old_name} and this model is of class {new_name}: {ending} "
            f"(e.g. {base}_{_short(new_class).lower()})"
        )
