"""Offline metrics: the digits classifiers, label accuracy, mode coverage and translation scores (docs/protocols.md)."""
from kerasgan.metrics.classifier import digits_classifier
from kerasgan.metrics.conditional import label_accuracy
from kerasgan.metrics.coverage import mode_coverage
from kerasgan.metrics.features import extract_features
from kerasgan.metrics.frechet import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_features,
    frechet_distance_from_statistics,
    kernel_inception_distance,
    kernel_inception_distance_from_features,
)
from kerasgan.metrics.inception import fid_inception
from kerasgan.metrics.manifold import precision_recall, precision_recall_from_features
from kerasgan.metrics.translation import l1, label_preservation, psnr, ssim

__all__ = [
    "digits_classifier",
    "extract_features",
    "feature_statistics",
    "fid_inception",
    "frechet_distance",
    "frechet_distance_from_features",
    "frechet_distance_from_statistics",
    "kernel_inception_distance",
    "kernel_inception_distance_from_features",
    "l1",
    "label_accuracy",
    "label_preservation",
    "mode_coverage",
    "precision_recall",
    "precision_recall_from_features",
    "psnr",
    "ssim",
]
