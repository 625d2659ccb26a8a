"""Features of a dataset's real images kept on disk, so FID's reference side is extracted once per dataset and split."""
import hashlib
import json
import os

import numpy as np

from kerasgan.metrics.classifier import default_cache_dir
from kerasgan.saving import write_file

FOLDER = "real_features"


def cache_path(key, cache_dir=None):
    """The .npy file of `key` (a dict naming the dataset, split, size, count and extractor) under the cache dir."""
    text = json.dumps(key, sort_keys=True)
    readable = "_".join(str(key[name]).replace(os.sep, "-") for name in sorted(key))
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return os.path.join(os.path.expanduser(cache_dir or default_cache_dir()), FOLDER, f"{readable}_{digest}.npy")


def _read(path, key):
    """The cached float32 features (N, d) at `path`, or ValueError naming the file and the fix if it is damaged."""
    try:
        features = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        features = error
    if isinstance(features, Exception) or features.ndim != 2 or features.dtype != np.float32 or not np.all(np.isfinite(features)):
        detail = features if isinstance(features, Exception) else f"an array {features.dtype} {features.shape}"
        raise ValueError(
            f"the cached real features {path} are damaged ({detail}): delete the file and run again to recompute them"
        )
    if len(features) != key["count"]:
        raise ValueError(
            f"the cached real features {path} hold {len(features)} rows, not {key['count']}: delete the file and run again"
        )
    return features


def cached_features(key, compute, cache_dir=None):
    """The real features of `key`: read from the cache, else `compute()` (float32 (N, d)) and written atomically.

    Args:
        key: a dict of JSON values naming what the features are of; key["count"] is their row count.
        compute: a function returning the features when they are not cached.
        cache_dir: None: $KERASGAN_CACHE, else ~/.cache/kerasgan; the file goes into its real_features/.

    A damaged cache file is never overwritten: ValueError names it and says to delete it.
    """
    path = cache_path(key, cache_dir)
    if os.path.exists(path):
        return _read(path, key)
    features = np.asarray(compute(), dtype=np.float32)
    if len(features) != key["count"]:
        raise ValueError(f"computed {len(features)} feature rows for {key}, expected {key['count']}")
    os.makedirs(os.path.dirname(path), exist_ok=True)

    def save(partial):
        with open(partial, "wb") as handle:
            np.save(handle, features)

    try:
        write_file(path, save, suffix=".npy")
    except FileExistsError:  # another process wrote it meanwhile: read theirs
        return _read(path, key)
    return features
