"""Exports for serving: a SavedModel in TF Serving's layout."""
from kerasgan.export.saved_model import saved_model

__all__ = ["saved_model"]
