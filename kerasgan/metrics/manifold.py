"""Precision and recall of k-NN manifolds (Kynkäänniemi et al. 2019, arXiv:1904.06991) on the features of any Keras model."""
import numpy as np

from kerasgan.metrics.features import extract_features, feature_pair, resolve_feature_extractor

K = 3
BLOCK_SIZE = 2048  # distances are computed in float64 blocks of BLOCK_SIZE x BLOCK_SIZE (32 MB)


def _squared_distances(a, b):
    """float64 squared Euclidean distances (len(a), len(b)), clipped at 0 against round-off."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    squared = np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(squared, 0.0)


def _kth_neighbour_radii(points, k, block_size):
    """Squared distance of each point to its k-th nearest other point of `points`."""
    radii = np.empty(len(points))
    for start in range(0, len(points), block_size):
        rows = points[start:start + block_size]
        # the k + 1 smallest distances seen so far: the point itself (0) and its k nearest neighbours
        nearest = np.empty((len(rows), 0))
        for column in range(0, len(points), block_size):
            candidates = np.concatenate([nearest, _squared_distances(rows, points[column:column + block_size])], axis=1)
            nearest = np.partition(candidates, k, axis=1)[:, :k + 1] if candidates.shape[1] > k + 1 else candidates
        radii[start:start + block_size] = nearest.max(axis=1)
    return radii


def _inside(queries, points, radii, block_size):
    """Whether each query lies within the radius of some point: distance <= that point's k-NN radius."""
    inside = np.zeros(len(queries), dtype=bool)
    for start in range(0, len(queries), block_size):
        for column in range(0, len(points), block_size):
            pending = start + np.flatnonzero(~inside[start:start + block_size])
            if len(pending) == 0:
                break
            distances = _squared_distances(queries[pending], points[column:column + block_size])
            inside[pending] = np.any(distances <= radii[None, column:column + block_size], axis=1)
    return inside


def precision_recall_from_features(real_features, fake_features, k=K, block_size=BLOCK_SIZE):
    """Improved precision and recall (Kynkäänniemi et al. 2019, arXiv:1904.06991) of two feature arrays (N, d), (M, d).

    Each set's manifold is the union of balls around its points with radius the distance to the
    point's k-th nearest neighbour in that set. Precision: share of fake samples inside the real
    manifold; recall: share of real samples inside the fake manifold. Exact brute force in float64
    blocks of block_size x block_size, O(N M d) time and O(block_size^2) extra memory.
    Returns {"precision", "recall"}.
    """
    real, fake = feature_pair(real_features, fake_features)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if min(len(real), len(fake)) <= k:
        raise ValueError(
            f"a k-th nearest neighbour needs more than k={k} samples per set, got {len(real)} real and {len(fake)} fake"
        )
    if not isinstance(block_size, int) or isinstance(block_size, bool) or block_size < 1:
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}")
    real_radii = _kth_neighbour_radii(real, k, block_size)
    fake_radii = _kth_neighbour_radii(fake, k, block_size)
    return {
        "precision": float(np.mean(_inside(fake, real, real_radii, block_size))),
        "recall": float(np.mean(_inside(real, fake, fake_radii, block_size))),
    }


def precision_recall(real, fake, feature_extractor=None, layer=None, k=K, batch_size=None, block_size=BLOCK_SIZE):
    """Improved precision and recall (Kynkäänniemi et al. 2019, arXiv:1904.06991) of two image sets.

    Images and feature_extractor as kerasgan.metrics.frechet_distance (the paper uses VGG-16 fc2
    features; any keras.Model works); every feature is kept (float32). See precision_recall_from_features.
    """
    model = resolve_feature_extractor(real, feature_extractor, layer)
    real_features, fake_features = [extract_features(images, model, batch_size=batch_size) for images in (real, fake)]
    return precision_recall_from_features(real_features, fake_features, k, block_size)
