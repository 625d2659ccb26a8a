"""The model's `serving_default` as a TFLite flatbuffer for LiteRT on devices."""
import os
import re
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from kerasgan import precision, saving
from kerasgan.export import saved_model as saved_model_export

QUANTIZATIONS = (None, "dynamic", "float16", "int8")
CALIBRATION_EXAMPLES = 200
SIGNATURE = "serving_default"


def tflite(model, path, quantize=None, representative_data=None, signature=SIGNATURE):
    """Writes one of `model`'s float signatures (default serving_default) to `path` with TFLite builtin ops only.

    quantize: None (float32), "dynamic" (int8 weights), "float16" (float16 weights) or
    "int8" (int8 weights and activations, float32 inputs and outputs), calibrated on
    `representative_data`: {input name: array} of serving_default inputs, or an array for
    a one-input signature (default: `model.serving_examples(200)`: latents, or images for
    translators). `signature` picks another endpoint, e.g. CycleGAN's "b_to_a".
    A model that computes in 16 bits is converted from a float32 copy (TFLite's builtins have
    no bfloat16 kernels). Never overwrites `path`; writes a temporary file and renames it. Returns `path`.
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"quantize must be one of {QUANTIZATIONS}, got {quantize!r}")
    if signature not in model.serving_endpoints():
        raise ValueError(f"{type(model).__name__} has no signature {signature!r}: use one of {', '.join(model.serving_endpoints())}")
    if os.path.exists(path):
        raise FileExistsError(f"{path} already exists: exports never overwrite; choose another path")
    model = precision.float32_copy(model)
    staging = tempfile.mkdtemp(prefix=".tflite-")
    try:
        # Through a SavedModel: the converter freezes its variables and keeps the signature names.
        saved = os.path.join(staging, "saved_model")
        saved_model_export.write(model, saved)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved, signature_keys=[signature])
        _configure(converter, model, quantize, representative_data, signature)
        flatbuffer = _convert(converter, model)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    def write(partial):
        with open(partial, "wb") as handle:
            handle.write(flatbuffer)

    saving.write_file(path, write)
    return path


def _configure(converter, model, quantize, representative_data, signature):
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize is None:
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":
        examples = _calibration_examples(model, representative_data, signature)
        converter.representative_dataset = lambda: (
            {name: values[i : i + 1] for name, values in examples.items()}
            for i in range(len(next(iter(examples.values()))))
        )
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]


def _calibration_examples(model, representative_data, signature):
    """{input name: float32 array} to calibrate int8 activations on."""
    if representative_data is None:
        return model.serving_examples(CALIBRATION_EXAMPLES)
    if not isinstance(representative_data, dict):
        _, specs = model.serving_endpoints()[signature]
        if len(specs) != 1:
            raise ValueError(f"representative_data must be a dict of {[s.name for s in specs]}")
        representative_data = {specs[0].name: representative_data}
    return {name: np.asarray(values) for name, values in representative_data.items()}


def _convert(converter, model):
    """Runs the converter; an op outside the builtins becomes one clear ValueError."""
    try:
        return converter.convert()
    except Exception as error:  # the converter raises ConverterError with MLIR diagnostics
        raise ValueError(
            f"{model.name} does not convert to TFLite with builtin ops only: {_unsupported_ops(str(error))}. "
            "Select-TF (Flex) ops are not used because the LiteRT runtime on devices rejects them: "
            "change the layer that needs them."
        ) from None


def _unsupported_ops(message):
    """'Op (in layer/path), ...' from the converter's MLIR diagnostics, else its first line."""
    calls = ("StatefulPartitionedCall", "PartitionedCall")  # the wrappers around the real op
    found = [(op, at) for op, at in re.findall(r'fused\["(\w+):", "([^"@]+)@', message) if op not in calls]
    if not found:
        return message.strip().splitlines()[0][:300]
    ops = dict.fromkeys(f"{op} (in {at.rsplit('/', 1)[0]})" for op, at in found)
    return ", ".join(ops) + " " + ("is not a builtin" if len(ops) == 1 else "are not builtins")
