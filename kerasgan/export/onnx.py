"""The model's serving endpoints as ONNX graphs, for onnxruntime and the other ONNX runtimes.

Why tf2onnx itself rather than `keras.Model.export(format="onnx")` (which calls tf2onnx on the TensorFlow
backend): an endpoint is a function of named tensors over several networks (CGAN's labels, GAN-INT-CLS's
text encoder before its generator, the context encoder's compositing), not one Keras model; converting the
endpoint keeps its input and output names and what it computes.
"""
import os

import numpy as np
import tensorflow as tf

from kerasgan import precision, saving

OPSET = 17
SIGNATURE = "serving_default"
DRAWS_NOISE = ("generate",)  # endpoints that draw z in the graph with TensorFlow's stateless random ops
INSTALL = "pip install tf2onnx onnxruntime (or kerasgan[onnx])"


def output_name(name, input_names):
    """An output's name in the ONNX graph: its own, or <name>_output when an input has it (a translator's images:
    ONNX names each value once)."""
    return f"{name}_output" if name in input_names else name


def _converter():
    try:
        import tf2onnx
    except ImportError as error:  # an optional dependency: say how to get it
        raise ImportError(f"ONNX export needs tf2onnx: {INSTALL}") from error
    return tf2onnx


def onnx(model, path, signature=SIGNATURE, opset=OPSET):
    """Writes one of `model`'s endpoints (default serving_default) to `path` as an ONNX graph with the endpoint's
    input and output names (an output named as an input gets "_output" added: `output_name`) and a dynamic batch
    axis. A model that computes in 16 bits is converted from a float32
    copy. Never overwrites `path`; writes a temporary file and renames it. Returns `path`.

    Args:
        model: a zoo model (any: its `serving_endpoints()` are converted).
        path: the .onnx file to write.
        signature: the endpoint, e.g. CycleGAN's "b_to_a". Not `generate`: it draws z in the graph with
            TensorFlow's stateless random ops, which ONNX has no equivalent of (its random ops draw other
            numbers); convert serving_default and draw z yourself.
        opset: the ONNX operator set (17).
    """
    endpoints = model.serving_endpoints()
    if signature not in endpoints:
        raise ValueError(f"{type(model).__name__} has no signature {signature!r}: use one of {', '.join(endpoints)}")
    if signature in DRAWS_NOISE:
        raise ValueError(f"the {signature} endpoint draws its noise with TensorFlow's random ops, which ONNX cannot "
                         f"reproduce: convert {SIGNATURE} instead and draw z yourself")
    if os.path.exists(path):
        raise FileExistsError(f"{path} already exists: exports never overwrite; choose another path")
    tf2onnx = _converter()
    function, specs = precision.float32_copy(model).serving_endpoints()[signature]
    names = [spec.name for spec in specs]

    def positional(*args):
        return {output_name(name, names): value for name, value in function(**dict(zip(names, args))).items()}

    positional = tf.function(positional, input_signature=specs)
    try:
        proto, _ = tf2onnx.convert.from_function(positional, input_signature=specs, opset=opset)
    except Exception as error:  # the converter's errors name a TensorFlow op, not what to do
        raise ValueError(f"the {signature} endpoint of {type(model).__name__} did not convert to ONNX ({error}); "
                         f"convert {SIGNATURE} instead") from error

    def write(partial):
        with open(partial, "wb") as handle:
            handle.write(proto.SerializeToString())

    saving.write_file(path, write)
    return path


def run_onnx(path, inputs):
    """Runs an .onnx file on {input name: array} (any batch) with onnxruntime; {output name: array}."""
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError(f"running an ONNX file needs onnxruntime: {INSTALL}") from error
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    outputs = session.run(None, {name: np.asarray(values) for name, values in inputs.items()})
    return {output.name: value for output, value in zip(session.get_outputs(), outputs)}


def default_inputs(model, signature=SIGNATURE, count=16):
    """`count` of `model.serving_examples` when they are what `signature` takes (by name), else None."""
    examples = model.serving_examples(count, seed=1)
    _, specs = model.serving_endpoints()[signature]
    return examples if sorted(examples) == sorted(spec.name for spec in specs) else None


def onnx_parity(model, path, inputs=None, signature=SIGNATURE):
    """{"max_abs_error", "mean_abs_error"} of an .onnx file's outputs against `model`'s endpoint on `inputs`
    ({input name: array}; default: 16 of `model.serving_examples`, for the endpoints that take them); a 16-bit
    model's float32 copy, which is what was converted."""
    inputs = inputs if inputs is not None else default_inputs(model, signature)
    if inputs is None:
        raise ValueError(f"the {signature} endpoint takes other inputs than serving_examples: pass inputs")
    function, _ = precision.float32_copy(model).serving_endpoints()[signature]
    expected = {output_name(name, inputs): np.asarray(value) for name, value in function(**inputs).items()}
    actual = run_onnx(path, inputs)
    errors = np.concatenate([np.abs(actual[name].astype(np.float64) - expected[name]).ravel() for name in expected])
    return {"max_abs_error": float(errors.max()), "mean_abs_error": float(errors.mean())}
