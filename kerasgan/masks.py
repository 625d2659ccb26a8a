"""Inpainting masks: float maps of shape (batch, height, width, 1), 1 where the image is missing (the hole), 0 where
it is known (Pathak et al. 2016, arXiv:1604.07379, "region masks").

"center": the central square region of half the image's sides, the same for every image.
"random": one rectangle per image, each side a uniform fraction in [1/4, 1/2] of the image's, at a uniform position
(a "random block" mask).
"""
from keras import ops

KINDS = ("center", "random")
DRAWS_PER_MASK = 4  # a random mask's uniform numbers: height, width, top, left


def check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"mask must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind


def _rectangles(top, left, hole_height, hole_width, height, width):
    """(batch, height, width, 1) masks of 1 in rows [top, top + hole_height) and columns [left, left + hole_width)."""
    rows = ops.arange(height, dtype="float32")[None, :, None, None]
    columns = ops.arange(width, dtype="float32")[None, None, :, None]

    def within(positions, start, size):
        start, size = start[:, None, None, None], size[:, None, None, None]
        return ops.cast(ops.logical_and(positions >= start, positions < start + size), "float32")

    return within(rows, top, hole_height) * within(columns, left, hole_width)


def center(batch_size, height, width):
    """The central region: a square of half the sides (rounded down), centred."""
    hole_height, hole_width = height // 2, width // 2
    size = ops.ones((batch_size,), "float32")
    return _rectangles(size * ((height - hole_height) // 2), size * ((width - hole_width) // 2), size * hole_height,
                       size * hole_width, height, width)


def random(uniform, height, width):
    """One rectangle per row of `uniform`, a (batch, 4) draw in [0, 1): sides in [1/4, 1/2] of the image's, at any
    position where it fits."""
    uniform = ops.cast(uniform, "float32")
    hole_height = ops.floor((0.25 + 0.25 * uniform[:, 0]) * height)
    hole_width = ops.floor((0.25 + 0.25 * uniform[:, 1]) * width)
    top = ops.floor(uniform[:, 2] * (height - hole_height + 1))
    left = ops.floor(uniform[:, 3] * (width - hole_width + 1))
    return _rectangles(top, left, hole_height, hole_width, height, width)
