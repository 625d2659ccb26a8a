"""Image-to-image metrics of docs/protocols.md section 4: L1, PSNR, SSIM and label preservation.

Pix2Pix (Isola et al. 2017, arXiv:1611.07004); CycleGAN (Zhu et al. 2017, arXiv:1703.10593);
SSIM (Wang et al. 2004, IEEE TIP 13(4)).
"""
import numpy as np
import tensorflow as tf

from kerasgan.metrics.conditional import label_accuracy

SSIM_FILTER_SIZE = 11  # tf.image.ssim's default Gaussian window


def _pair(a, b):
    """Two float32 batches (N, H, W, C) of one shape, else ValueError."""
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    if a.shape != b.shape or a.ndim != 4 or len(a) == 0:
        raise ValueError(f"expected two non-empty image batches (N, H, W, C) of one shape, got {a.shape} and {b.shape}")
    return a, b


def l1(a, b):
    """Mean absolute difference of images in [-1, 1] (so in [0, 2]): Pix2Pix's L1 term."""
    a, b = _pair(a, b)
    return float(np.mean(np.abs(a - b)))


def psnr(a, b):
    """Mean over the batch of per-image PSNR in dB, images in [-1, 1] mapped to [0, 1] with max_val 1.

    An image identical to its reference has PSNR inf, and so then has the mean: nothing is capped.
    """
    a, b = _pair(a, b)
    return float(np.mean(tf.image.psnr((a + 1.0) / 2.0, (b + 1.0) / 2.0, max_val=1.0).numpy()))


def ssim(a, b):
    """Mean over the batch of per-image SSIM (averaged over channels), images in [-1, 1] mapped to
    [0, 1] with max_val 1 and tf.image.ssim's 11x11 Gaussian window; 1 for identical images."""
    a, b = _pair(a, b)
    if min(a.shape[1:3]) < SSIM_FILTER_SIZE:
        raise ValueError(f"ssim uses an {SSIM_FILTER_SIZE}x{SSIM_FILTER_SIZE} window: images must be at least that big, got {a.shape[1:3]}")
    return float(np.mean(tf.image.ssim((a + 1.0) / 2.0, (b + 1.0) / 2.0, max_val=1.0).numpy()))


def match_classifier_channels(images, channels):
    """`images` (N, H, W, C) with `channels` channels: 3 averaged into 1, or 1 repeated to 3."""
    images = np.asarray(images, dtype=np.float32)
    have = images.shape[-1]
    if have == channels:
        return images
    if (have, channels) == (3, 1):
        return images.mean(axis=-1, keepdims=True)
    if (have, channels) == (1, 3):
        return np.repeat(images, 3, axis=-1)
    raise ValueError(f"cannot feed images with {have} channels to a classifier that takes {channels}")


def label_preservation(classifier, translated, labels):
    """Share of `translated` images that a target-domain `classifier` assigns to their source `labels`.

    CycleGAN's digits <-> digits_m check (docs/protocols.md section 4). A 1-channel classifier sees
    colour images averaged over channels, a 3-channel one grey images repeated.
    """
    translated = np.asarray(translated, dtype=np.float32)
    if translated.ndim != 4:
        raise ValueError(f"translated must be images (N, H, W, C), got shape {translated.shape}")
    channels = int(classifier.inputs[0].shape[-1])
    return label_accuracy(classifier, match_classifier_channels(translated, channels), labels)
