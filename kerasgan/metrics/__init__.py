"""Offline metrics: the digits classifiers, label accuracy, mode coverage and translation scores (PROTOCOLS.md)."""
from kerasgan.metrics.conditional import label_accuracy
from kerasgan.metrics.classifier import digits_classifier
from kerasgan.metrics.coverage import mode_coverage
from kerasgan.metrics.translation import l1, label_preservation, psnr, ssim

__all__ = ["digits_classifier", "l1", "label_accuracy", "label_preservation", "mode_coverage", "psnr", "ssim"]
