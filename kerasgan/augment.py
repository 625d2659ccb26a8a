"""DiffAugment (Zhao et al. 2020, arXiv:2006.10738): differentiable augmentations of everything D sees.

D judges T(x) and T(G(z)) for random transformations T, the same family for real and fake, and G's
gradients flow back through T: with little data, D cannot memorize the training images, and G is not
taught to reproduce the augmentations (it would be if only the real images were augmented). The
three policies of the paper, on images in [-1, 1], each drawn per image:

- "color": brightness + U(-0.5, 0.5), saturation x U(0, 2), contrast x U(0.5, 1.5);
- "translation": a shift of up to 1/8 of the image's side each way, zeros filled in;
- "cutout": a zeroed square of half the image's side at a random place (it may cross the border).

Written with Keras ops, not a library's augmentation layers: those are not differentiable with respect
to their input in every transform, and they draw their own random numbers, which would differ between
replicas; here `draw(shape)` gives this replica's rows of one global draw.
"""
from keras import ops

POLICIES = ("color", "translation", "cutout")
TRANSLATION_RATIO, CUTOUT_RATIO = 0.125, 0.5


def parse(policy):
    """The policies named in a comma-separated string, in the paper's order ("" or None: none)."""
    names = [name.strip() for name in (policy or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise ValueError(f"diff_augment takes a comma-separated list of {', '.join(POLICIES)}, got {policy!r}")
    return tuple(name for name in POLICIES if name in names)


def diff_augment(images, policies, draw):
    """`images` (batch, height, width, channels) through each of `policies`; `draw(shape)` returns U(0, 1) of
    (batch,) + shape for this replica."""
    for policy in policies:
        images = {"color": color, "translation": translation, "cutout": cutout}[policy](images, draw)
    return images


def color(images, draw):
    """Brightness, saturation and contrast, each drawn per image (DiffAugment's rand_brightness, rand_saturation,
    rand_contrast)."""
    images = images + (draw((1, 1, 1)) - 0.5)
    mean = ops.mean(images, axis=-1, keepdims=True)
    images = (images - mean) * (draw((1, 1, 1)) * 2.0) + mean
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * (draw((1, 1, 1)) + 0.5) + mean


def translation(images, draw, ratio=TRANSLATION_RATIO):
    """Each image shifted by whole pixels, up to `ratio` of its side each way, zeros filled in.

    The shift is two products with 0/1 matrices, S_y x S_x^T, which are differentiable and need no
    per-image gather."""
    height, width = images.shape[1], images.shape[2]
    shift_y = _shifts(draw, height, ratio)
    shift_x = _shifts(draw, width, ratio)
    rows = _shift_matrix(shift_y, height, images.dtype)  # (batch, height, height): out row i reads row i - shift
    columns = _shift_matrix(shift_x, width, images.dtype)
    return ops.einsum("bik,bklc,bjl->bijc", rows, images, columns)


def cutout(images, draw, ratio=CUTOUT_RATIO):
    """A square of `ratio` of each side set to zero, centred anywhere in the image (it may be cut by the border)."""
    height, width = images.shape[1], images.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    centre_y = ops.floor(draw(()) * (height + (1 - size_y % 2)))  # the official code's range of offsets
    centre_x = ops.floor(draw(()) * (width + (1 - size_x % 2)))
    y = ops.arange(height, dtype="float32")[None, :]
    x = ops.arange(width, dtype="float32")[None, :]
    inside_y = ops.logical_and(y >= centre_y[:, None] - size_y // 2, y < centre_y[:, None] - size_y // 2 + size_y)
    inside_x = ops.logical_and(x >= centre_x[:, None] - size_x // 2, x < centre_x[:, None] - size_x // 2 + size_x)
    hole = ops.logical_and(inside_y[:, :, None], inside_x[:, None, :])
    return images * ops.cast(ops.logical_not(hole), images.dtype)[..., None]


def _shifts(draw, size, ratio):
    """Integer shifts in [-ratio * size, ratio * size], one per image, as floats."""
    limit = int(size * ratio + 0.5)
    return ops.floor(draw(()) * (2 * limit + 1)) - limit


def _shift_matrix(shifts, size, dtype):
    """(batch, size, size) with 1 where column k = row i - shift: row i of the product reads row i - shift."""
    i = ops.arange(size, dtype="float32")[None, :, None]
    k = ops.arange(size, dtype="float32")[None, None, :]
    return ops.cast(ops.equal(k, i - shifts[:, None, None]), dtype)
