"""Exports for serving: SavedModels in TF Serving's layout, TFLite files for LiteRT, ONNX graphs."""
from kerasgan.export.compatible import check_same_model
from kerasgan.export.onnx import default_inputs as onnx_default_inputs
from kerasgan.export.onnx import onnx, onnx_parity, run_onnx
from kerasgan.export.parity import run_tflite, tflite_parity
from kerasgan.export.saved_model import saved_model
from kerasgan.export.tflite import QUANTIZATIONS, tflite

__all__ = [
    "QUANTIZATIONS", "check_same_model", "onnx", "onnx_default_inputs", "onnx_parity", "run_onnx", "run_tflite", "saved_model",
    "tflite", "tflite_parity",
]
