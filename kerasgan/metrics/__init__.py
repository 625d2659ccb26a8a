"""Offline sample-quality metrics: the digits classifier, label accuracy and mode coverage (PROTOCOLS.md)."""
from kerasgan.metrics.conditional import label_accuracy
from kerasgan.metrics.classifier import digits_classifier
from kerasgan.metrics.coverage import mode_coverage

__all__ = ["digits_classifier", "label_accuracy", "mode_coverage"]
