"""Mode coverage of 2-D Gaussian mixtures (PacGAN: Lin et al. 2018, arXiv:1712.04086; VEEGAN 2017)."""
import numpy as np
from scipy.stats import entropy
from sklearn.metrics import pairwise_distances_argmin_min

from kerasgan import data

HQ_STDS = 3.0


def _means_and_std(name_or_means, std):
    if isinstance(name_or_means, str):
        if std is not None:
            raise ValueError(f"std comes from the {name_or_means!r} mixture: pass means with std to use another")
        return data.mixture_means(name_or_means).astype(np.float64), data.mixture_std(name_or_means)
    means = np.asarray(name_or_means, dtype=np.float64)
    if means.ndim != 2 or len(means) == 0:
        raise ValueError(f"means must be an array of shape (K, dims), got shape {means.shape}")
    if std is None or not std > 0:
        raise ValueError(f"explicit means need a positive std, got {std!r}")
    return means, float(std)


def mode_coverage(samples, name_or_means, std=None):
    """Modes captured, share of high-quality samples and reverse KL of the mode histogram.

    The protocol of PacGAN (Lin et al. 2018, arXiv:1712.04086, Table 1) and VEEGAN
    (Srivastava et al. 2017, arXiv:1705.07761), docs/protocols.md section 1.

    `name_or_means` is "ring8" or "grid25" (means and std from kerasgan.data) or explicit
    means (K, dims) with their `std`. Each sample goes to its nearest mean and is high
    quality (HQ) within 3 std of it; a mode is captured by at least one HQ sample.
    Non-finite samples count as not HQ. `reverse_kl` is KL(q || p) = sum_k q_k log(q_k / p_k)
    of the HQ histogram q against the uniform p, summed over q_k > 0: the reverse direction
    (model || data), as in PacGAN, stays finite when modes are missed and grows as the
    samples crowd into fewer modes; it is 0 for a uniform cover and inf without HQ samples.
    Returns {"modes", "num_modes", "hq_fraction", "reverse_kl"}.
    """
    means, std = _means_and_std(name_or_means, std)
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != means.shape[1] or len(samples) == 0:
        raise ValueError(f"samples must have shape (N, {means.shape[1]}) with N > 0, got {samples.shape}")
    finite = np.all(np.isfinite(samples), axis=1)
    nearest = np.zeros(len(samples), dtype=np.int64)
    distance = np.full(len(samples), np.inf)
    if finite.any():
        nearest[finite], distance[finite] = pairwise_distances_argmin_min(samples[finite], means)
    high_quality = distance <= HQ_STDS * std
    counts = np.bincount(nearest[high_quality], minlength=len(means))
    reverse_kl = float(entropy(counts, np.ones(len(means)))) if counts.sum() else float("inf")
    return {
        "modes": int(np.count_nonzero(counts)),
        "num_modes": len(means),
        "hq_fraction": float(np.mean(high_quality)),
        "reverse_kl": reverse_kl,
    }
