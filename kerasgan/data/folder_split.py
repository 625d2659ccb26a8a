"""A plain image folder's splits: its train/ and test/ subfolders, else a fixed held-out tenth of its images."""

import os
import pathlib

import numpy as np

from kerasgan.data.notices import say_once

FOLDER_SPLITS = ("train", "test", "all")
SPLIT_FOLDERS = ("train", "test")
HELD_OUT_FRACTION = 0.1
HELD_OUT_SEED = 0


def has_split_folders(folder):
    """Whether `folder` has both a train/ and a test/ subfolder."""
    return all(os.path.isdir(os.path.join(folder, name)) for name in SPLIT_FOLDERS)


def held_out(num_files):
    """Indices (sorted) of the held-out tenth of `num_files` sorted files: the first int(10%) of a seed-0 permutation."""
    count = int(HELD_OUT_FRACTION * num_files)
    return np.sort(np.random.default_rng(HELD_OUT_SEED).permutation(num_files)[:count])


def split_paths(folder, paths, split):
    """The paths of `split` ("train", "test" or "all") among `paths`, every image file under `folder`, sorted.

    With train/ and test/ subfolders a split is its subfolder ("all": both); otherwise "test" is
    the held_out tenth and "train" the rest. Which rule applied is logged once per folder, and
    a folder of fewer than ten images has no "test" (ValueError) and trains on all of them.
    """
    if split not in FOLDER_SPLITS:
        raise ValueError(f"unknown split {split!r} for folder {str(folder)!r}: use one of {', '.join(FOLDER_SPLITS)}")
    if has_split_folders(folder):
        wanted = SPLIT_FOLDERS if split == "all" else (split,)
        chosen = [path for path in paths if pathlib.Path(path).relative_to(folder).parts[0] in wanted]
        say_once(f"{folder}: split={split!r} reads its {' and '.join(name + '/' for name in wanted)} ({len(chosen)} images)")
        return chosen
    if split == "all":
        return list(paths)
    test = held_out(len(paths))
    fraction = f"{HELD_OUT_FRACTION:.0%}"
    if not len(test):
        if split == "test":
            raise ValueError(
                f"{folder}: {len(paths)} images are too few to hold out {fraction} as split='test': add train/ and "
                "test/ subfolders, or use split='all'"
            )
        say_once(f"{folder}: no train/ and test/ subfolders, and {len(paths)} images are too few to hold out {fraction}: "
                 "split='train' is all of them")
        return list(paths)
    say_once(f"{folder}: no train/ and test/ subfolders, holding out {fraction} ({len(test)} of {len(paths)} images, "
             f"seed {HELD_OUT_SEED}) as split='test'")
    in_test = np.zeros(len(paths), bool)
    in_test[test] = True
    return [path for path, is_test in zip(paths, in_test) if is_test == (split == "test")]
