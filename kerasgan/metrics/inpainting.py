"""Inpainting metrics: L1 and PSNR over the missing region only (the scores of Pathak et al. 2016, arXiv:1604.07379,
taken where the model filled in), and the mean-fill baseline."""
import numpy as np


def _checked(completed, real, hole):
    completed, real, hole = (np.asarray(part, dtype=np.float64) for part in (completed, real, hole))
    if completed.shape != real.shape or completed.ndim != 4 or hole.shape != real.shape[:3] + (1,):
        raise ValueError(
            f"expected completed and real images (N, H, W, C) of one shape and masks (N, H, W, 1), got "
            f"{completed.shape}, {real.shape} and {hole.shape}"
        )
    if not np.all(hole.sum(axis=(1, 2, 3)) > 0):
        raise ValueError("every mask must have a missing pixel (a 1): the scores are over the hole")
    return completed, real, hole


def _per_image_hole_mean(values, hole):
    """Each image's mean of `values` (N, H, W, C) over its hole's pixels and the channels."""
    return (values * hole).sum(axis=(1, 2, 3)) / (hole.sum(axis=(1, 2, 3)) * values.shape[-1])


def hole_l1(completed, real, hole):
    """Mean over images of each one's mean absolute error in its hole, pixels in [0, 1]."""
    completed, real, hole = _checked(completed, real, hole)
    return float(np.mean(_per_image_hole_mean(np.abs(completed - real) / 2.0, hole)))


def hole_psnr(completed, real, hole):
    """Mean over images of each one's PSNR in dB over its hole, pixels in [0, 1] (max value 1)."""
    completed, real, hole = _checked(completed, real, hole)
    mse = _per_image_hole_mean(np.square((completed - real) / 2.0), hole)
    with np.errstate(divide="ignore"):
        return float(np.mean(10.0 * np.log10(1.0 / mse)))


def mean_fill(real, hole):
    """Each image's hole filled with the mean of its known pixels, per channel: the baseline that knows no images."""
    real, hole = np.asarray(real, dtype=np.float32), np.asarray(hole, dtype=np.float32)
    known = 1.0 - hole
    means = (real * known).sum(axis=(1, 2), keepdims=True) / np.maximum(known.sum(axis=(1, 2), keepdims=True), 1.0)
    return hole * means + known * real
