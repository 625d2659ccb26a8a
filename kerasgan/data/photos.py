"""The colour photos MNIST-M's backgrounds are cut from, read from installed packages; train and test use different photos.

Ganin et al. (2016) cut MNIST-M's backgrounds from BSDS500, which no package ships. These are
photos that packages do ship, all natural scenes or objects (no drawings, gradients or mostly
black frames, so scikit-image's hubble_deep_field, retina, immunohistochemistry and colorwheel,
and lomiri's umang gradient, are left out):

- Debian lomiri-wallpapers-16.04 (/usr/share/backgrounds; CC BY 4.0, CC BY-SA 4.0 and CC0),
- Debian mate-backgrounds (/usr/share/backgrounds/mate/nature; GPL-2+),
- scikit-image's skimage.data (public domain and CC0),
- scikit-learn's two sample images (CC BY 2.0).

About a fifth of each package's photos are TEST_PHOTOS, the rest TRAIN_PHOTOS, so no test
background comes from a photo that a training background comes from. Each photo is shrunk (never
enlarged) so that its short side is SHORT_SIDE = 321 px, BSDS500's (its photos are 481x321):
a 28x28 crop then covers as much of a scene as in the original MNIST-M.
"""

import functools
import importlib.metadata
import os

import numpy as np
from PIL import Image

from kerasgan.data.notices import say_once

SHORT_SIDE = 321
LOMIRI, MATE, SKIMAGE, SKLEARN = "lomiri-wallpapers-16.04", "mate-backgrounds", "scikit-image", "scikit-learn"
INSTALL = {
    LOMIRI: f"apt-get install {LOMIRI}",
    MATE: f"apt-get install {MATE}",
    SKIMAGE: "pip install scikit-image",
    SKLEARN: "pip install scikit-learn",
}
_FOLDERS = {
    LOMIRI: ("/usr/share/backgrounds", None),
    MATE: ("/usr/share/backgrounds/mate/nature", None),
    SKIMAGE: ("skimage/data", "scikit-image"),
    SKLEARN: ("sklearn/datasets/images", "scikit-learn"),
}
TRAIN_PHOTOS = (
    (LOMIRI, "Bridge_by_Sander_Klootwijk.jpg"),
    (LOMIRI, "Dragonfly_by_Bolly.jpg"),
    (LOMIRI, "Picture_0B_by_freespace.jpg"),
    (LOMIRI, "Wine_by_Jakkub_Mede.jpg"),
    (LOMIRI, "aitzgorri_by_Aitzol_Berasategi.jpg"),
    (LOMIRI, "analogpattern_by_Peter_Nerlich.jpg"),
    (LOMIRI, "free_by_Peter_Nerlich.jpg"),
    (LOMIRI, "friends_by_Aitzol_Berasategi.jpg"),
    (LOMIRI, "greentock_by_Peter_Nerlich.jpg"),
    (LOMIRI, "picosdeeuropa_by_Aitzol_Berasategi.jpg"),
    (LOMIRI, "sunset_by_Aitzol_Berasategi.jpg"),
    (MATE, "Aqua.jpg"),
    (MATE, "Blinds.jpg"),
    (MATE, "Dune.jpg"),
    (MATE, "FreshFlower.jpg"),
    (MATE, "GreenMeadow.jpg"),
    (MATE, "LadyBird.jpg"),
    (MATE, "TwoWings.jpg"),
    (MATE, "Wood.jpg"),
    (MATE, "YellowFlower.jpg"),
    (SKIMAGE, "astronaut.png"),
    (SKIMAGE, "chelsea.png"),
    (SKIMAGE, "rocket.jpg"),
    (SKLEARN, "china.jpg"),
)
TEST_PHOTOS = (
    (LOMIRI, "Picture_1A_by_freespace.jpg"),
    (LOMIRI, "life_by_Aitzol_Berasategi.jpg"),
    (LOMIRI, "seeding_by_Clements_Engelhardt.jpg"),
    (MATE, "Garden.jpg"),
    (MATE, "RainDrops.jpg"),
    (MATE, "Storm.jpg"),
    (SKIMAGE, "coffee.png"),
    (SKLEARN, "flower.jpg"),
)
PHOTOS = {"train": TRAIN_PHOTOS, "test": TEST_PHOTOS}
GRAYSCALE_MODES = ("1", "L", "LA", "I", "I;16", "F")


def photo_folder(source):
    """The folder holding `source`'s photos, or None when that package is not installed."""
    folder, distribution = _FOLDERS[source]
    if distribution is not None:
        try:
            folder = str(importlib.metadata.distribution(distribution).locate_file(folder))
        except importlib.metadata.PackageNotFoundError:
            return None
    return folder if os.path.isdir(folder) else None


def read_photo(path, short_side=SHORT_SIDE):
    """A photo file as uint8 RGB (H, W, 3), shrunk so its short side is at most `short_side`; None if grey."""
    with Image.open(path) as image:
        if image.mode in GRAYSCALE_MODES:
            return None
        scale = min(1.0, short_side / min(image.size))
        size = tuple(max(1, round(side * scale)) for side in image.size)
        image.draft("RGB", size)  # JPEG: decode at the smallest scale still at least `size`
        image = image.convert("RGB")
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS)
        return np.asarray(image, dtype=np.uint8)


def _unavailable(split, missing):
    """The one-line account of the photos of `split` that could not be read: (source, file, reason) triples."""
    sources = sorted({source for source, _, reason in missing if reason == "not installed"})
    fixes = "; ".join(f"{source}: {INSTALL[source]}" for source in sources)
    others = [f"{file} ({reason})" for _, file, reason in missing if reason != "not installed"]
    parts = ([f"not installed: {fixes}"] if sources else []) + others
    return f"{len(missing)} of {len(PHOTOS[split])} MNIST-M {split} photos unavailable ({'; '.join(parts)})"


@functools.lru_cache(maxsize=2)
def photos(split):
    """The readable photos of `split` ("train" or "test"): a tuple of read-only uint8 (H, W, 3) arrays and their names.

    A missing photo is left out with a one-line warning (the crops then differ from a full
    install's, so scores are not comparable); ValueError naming the install commands when
    none of the split's photos is there.
    """
    if split not in PHOTOS:
        raise ValueError(f"unknown split {split!r} for MNIST-M photos: use one of {', '.join(PHOTOS)}")
    arrays, names, missing = [], [], []
    for source, file in PHOTOS[split]:
        folder = photo_folder(source)
        path = None if folder is None else os.path.join(folder, file)
        if path is None or not os.path.isfile(path):
            missing.append((source, file, "not installed" if folder is None else "missing"))
            continue
        try:
            photo = read_photo(path)
        except Exception as error:  # Pillow raises OSError, SyntaxError, ... for a damaged file
            missing.append((source, file, f"does not decode: {type(error).__name__}"))
            continue
        if photo is None:
            missing.append((source, file, "grey"))
            continue
        photo.setflags(write=False)
        arrays.append(photo)
        names.append(f"{source}/{file}")
    if not arrays:
        install = " and ".join(sorted({INSTALL[source] for source, _ in PHOTOS[split]}))
        raise ValueError(f"no MNIST-M {split} photo is installed: {install}")
    if missing:
        say_once(f"{_unavailable(split, missing)}: cutting its backgrounds from the other {len(arrays)}, so "
                 "mnist_m differs from a full install's and its scores are not comparable")
    return tuple(arrays), tuple(names)


def random_crops(split, count, size, seed):
    """`count` uint8 crops (count, size, size, 3) of `split`'s photos, each of a photo drawn at random, at a random
    position, from numpy.random.default_rng(seed)."""
    sources, _ = photos(split)
    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, len(sources), count)
    crops = np.empty((count, size, size, 3), np.uint8)
    for index, photo in enumerate(chosen):
        height, width = sources[photo].shape[:2]
        top, left = rng.integers(0, height - size + 1), rng.integers(0, width - size + 1)
        crops[index] = sources[photo][top:top + size, left:left + size]
    return crops
