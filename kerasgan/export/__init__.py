"""Exports for serving: SavedModels in TF Serving's layout, TFLite files for LiteRT."""
from kerasgan.export.compatible import check_same_model
from kerasgan.export.parity import run_tflite, tflite_parity
from kerasgan.export.saved_model import saved_model
from kerasgan.export.tflite import QUANTIZATIONS, tflite

__all__ = ["QUANTIZATIONS", "check_same_model", "run_tflite", "saved_model", "tflite", "tflite_parity"]
