"""How far an exported model's outputs are from the Keras model's on the same inputs."""
import numpy as np
from ai_edge_litert.interpreter import Interpreter

from kerasgan import precision
from kerasgan.export.tflite import SIGNATURE


def run_tflite(path, inputs, signature=SIGNATURE):
    """Runs a signature (default serving_default) of a .tflite file on {input name: array} (any batch)."""
    runner = Interpreter(model_path=path).get_signature_runner(signature)
    return runner(**{name: np.asarray(values) for name, values in inputs.items()})


def tflite_parity(model, path, inputs=None, signature=SIGNATURE):
    """{"max_abs_error", "mean_abs_error"} of a .tflite file's `signature` against `model`
    (default inputs: 16 of `model.serving_examples`); a 16-bit model's float32 copy, which TFLite converts."""
    inputs = inputs if inputs is not None else model.serving_examples(16, seed=1)
    model = precision.float32_copy(model)
    function, _ = model.serving_endpoints()[signature]
    expected = {name: np.asarray(value) for name, value in function(**inputs).items()}
    actual = run_tflite(path, inputs, signature)
    errors = np.concatenate([np.abs(actual[name] - expected[name]).ravel() for name in expected])
    return {"max_abs_error": float(errors.max()), "mean_abs_error": float(errors.mean())}
