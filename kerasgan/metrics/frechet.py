"""Fréchet distance (Heusel et al. 2017, arXiv:1706.08500) and kernel inception distance (Bińkowski et al. 2018,
arXiv:1801.01401) between image sets: on the FID Inception network's features by default (FID and KID proper),
or on the digits classifier's or any Keras model's (kerasgan.metrics.features)."""
import warnings

import numpy as np
from scipy import linalg

from kerasgan.metrics.features import extract_features, feature_batches, feature_pair, resolve_feature_extractor

EPS = 1e-6  # added to the covariance diagonals when their product is singular, as in the reference FID code
IMAGINARY_TOLERANCE = 1e-3  # largest imaginary part on the diagonal of sqrtm dropped as round-off
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000
BLOCK = 10_000  # rows per step when precomputed features are reduced to moments


def _moments(batches):
    """float64 mean (d,) and covariance (d, d) with ddof 1 of 2-D feature batches, accumulated batch by batch."""
    count, shift, total, outer = 0, None, None, None
    for features in batches:
        features = np.asarray(features, dtype=np.float64)
        if shift is None:
            # sums of (features - the first batch's mean): a large common mean then does not cancel in float64
            shift = features.mean(axis=0)
            total, outer = np.zeros_like(shift), np.zeros((len(shift), len(shift)))
        elif features.shape[1] != len(shift):
            raise ValueError(f"all feature batches must have one dimension, got {len(shift)} then {features.shape[1]}")
        centred = features - shift
        count += len(features)
        total += centred.sum(axis=0)
        outer += centred.T @ centred
    if count < 2:
        raise ValueError(f"a covariance needs at least 2 samples, got {count}")
    mean = total / count
    covariance = (outer - count * np.outer(mean, mean)) / (count - 1)
    return shift + mean, covariance


def feature_statistics(images, feature_extractor=None, layer=None, batch_size=None):
    """float64 mean (d,) and covariance (d, d) (ddof 1) of the features of `images`, streamed over batches.

    The Gaussian fit of FID (Heusel et al. 2017, arXiv:1706.08500); memory is O(d^2), not O(N d), so
    the statistics of 50k real images can be computed once and reused. Arguments as
    kerasgan.metrics.features.feature_batches.
    """
    return _moments(feature_batches(images, feature_extractor, layer, batch_size))


def frechet_distance_from_statistics(mean1, covariance1, mean2, covariance2, eps=EPS):
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)), FID's Gaussian distance (Heusel et al. 2017, arXiv:1706.08500).

    As the reference FID code: when the product S1 S2 is singular, `eps` is added to both diagonals
    (silently when scipy flags it singular, as dead ReLU features make it: the distance moves by
    O(eps^(1/2)), 3e-4 on the digits classifier; with a warning when sqrtm returns non-finite values).
    An imaginary part of sqrtm up to 1e-3 on the diagonal is round-off and dropped; a larger one
    raises ValueError.
    """
    mu1, mu2 = [np.atleast_1d(np.asarray(each, dtype=np.float64)) for each in (mean1, mean2)]
    sigma1, sigma2 = [np.atleast_2d(np.asarray(each, dtype=np.float64)) for each in (covariance1, covariance2)]
    d = len(mu1)
    if mu1.ndim != 1 or mu2.shape != mu1.shape or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"expected means (d,) and covariances (d, d) of one dimension d, got {mu1.shape}, {sigma1.shape}, "
            f"{mu2.shape} and {sigma2.shape}: use one feature_extractor for both sets"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        covmean = linalg.sqrtm(sigma1 @ sigma2)
    singular = False
    for each in caught:
        if issubclass(each.category, linalg.LinAlgWarning):
            singular = True
        else:
            warnings.warn(each.message, each.category, stacklevel=2)
    if singular or not np.all(np.isfinite(covmean)):
        if not np.all(np.isfinite(covmean)):
            warnings.warn(f"sqrtm of the covariance product is not finite, adding {eps} to the diagonals", stacklevel=2)
        offset = np.eye(d) * eps
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=IMAGINARY_TOLERANCE):
            raise ValueError(
                f"sqrtm of the covariance product has an imaginary component of {np.max(np.abs(covmean.imag)):.3g}: the "
                "covariances are not positive semi-definite or too ill-conditioned; use more samples"
            )
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def frechet_distance_from_features(real_features, fake_features, eps=EPS):
    """Fréchet distance (Heusel et al. 2017, arXiv:1706.08500) of two feature arrays (N, d) and (M, d), in float64."""
    real, fake = feature_pair(real_features, fake_features)
    statistics = [_moments(each[start:start + BLOCK] for start in range(0, len(each), BLOCK)) for each in (real, fake)]
    return frechet_distance_from_statistics(*statistics[0], *statistics[1], eps=eps)


def frechet_distance(real, fake, feature_extractor=None, layer=None, batch_size=None, eps=EPS):
    """Fréchet distance between two image sets: FID (Heusel et al. 2017, arXiv:1706.08500) by default.

    Args:
        real, fake: numpy arrays (N, H, W, C) or tf.data.Datasets of image batches in [-1, 1],
            streamed (only the float64 sums are kept).
        feature_extractor: None or "inception": the FID network (TF's inception-2015-12-05 up to
            pool_3, kerasgan.metrics.fid_inception) for images of any size, grey or RGB;
            "digits": the offline digits classifier's "features" layer, for digits-like images
            (distances comparable only within kerasgan); or a keras.Model with (B, d) output.
        layer: with a keras.Model, the layer whose output is taken.
        batch_size: images per forward pass; None: 50 for Inception, 256 otherwise.
        eps: the diagonal offset for singular covariance products (frechet_distance_from_statistics).
    """
    model = resolve_feature_extractor(real, feature_extractor, layer)
    statistics = [feature_statistics(images, model, batch_size=batch_size) for images in (real, fake)]
    return frechet_distance_from_statistics(*statistics[0], *statistics[1], eps=eps)


def _unbiased_mmd2(x, y):
    """Unbiased MMD^2 of samples x, y (m, d) with the kernel k(a, b) = (a.b / d + 1)^3."""
    m, d = x.shape
    k_xx, k_yy, k_xy = [(a @ b.T / d + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y))]
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return within - 2.0 * k_xy.mean()


def kernel_inception_distance_from_features(real_features, fake_features, num_subsets=KID_SUBSETS,
                                            subset_size=KID_SUBSET_SIZE, seed=0):
    """KID of two feature arrays: unbiased MMD^2, kernel (x.y / d + 1)^3, over subsets (Bińkowski et al. 2018, arXiv:1801.01401).

    Each of `num_subsets` subsets draws min(subset_size, N, M) samples without replacement from
    each set (numpy Generator seeded with `seed`); computed in float64. Returns {"mean", "std"}
    (std over subsets, ddof 0, as the reference code) and the "subset_size" used.
    """
    real, fake = feature_pair(real_features, fake_features)
    if not isinstance(num_subsets, int) or isinstance(num_subsets, bool) or num_subsets < 1:
        raise ValueError(f"num_subsets must be a positive integer, got {num_subsets!r}")
    if not isinstance(subset_size, int) or isinstance(subset_size, bool) or subset_size < 2:
        raise ValueError(f"subset_size must be an integer >= 2 (the unbiased MMD needs 2 samples), got {subset_size!r}")
    size = min(subset_size, len(real), len(fake))
    rng = np.random.default_rng(seed)
    estimates = np.empty(num_subsets)
    for index in range(num_subsets):
        x = real[rng.choice(len(real), size, replace=False)].astype(np.float64)
        y = fake[rng.choice(len(fake), size, replace=False)].astype(np.float64)
        estimates[index] = _unbiased_mmd2(x, y)
    return {"mean": float(estimates.mean()), "std": float(estimates.std()), "subset_size": size}


def kernel_inception_distance(real, fake, feature_extractor=None, layer=None, batch_size=None,
                              num_subsets=KID_SUBSETS, subset_size=KID_SUBSET_SIZE, seed=0):
    """KID (Bińkowski et al. 2018, arXiv:1801.01401) between two image sets; see kernel_inception_distance_from_features.

    Images and feature_extractor as frechet_distance. Unlike the Fréchet distance, KID keeps every
    feature in memory (float32, N x d x 4 bytes: 410 MB for 50k InceptionV3 features).
    """
    model = resolve_feature_extractor(real, feature_extractor, layer)
    real_features, fake_features = [extract_features(images, model, batch_size=batch_size) for images in (real, fake)]
    return kernel_inception_distance_from_features(real_features, fake_features, num_subsets, subset_size, seed)

