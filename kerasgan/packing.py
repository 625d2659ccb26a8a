"""Packing (PacGAN, Lin et al. 2018, arXiv:1712.04086): the discriminator judges m samples at once.

m samples of one kind (all real or all generated) are joined along their last axis, the channels
of an image or the coordinates of a point, into one input of m times the width. A generator that
drops modes makes packs of too-similar samples, which the discriminator learns to tell apart
from packs of real ones: the penalty on mode collapse that Lin et al. derive.
"""
from keras import ops


def check_pack(pack):
    """Raises ValueError unless `pack` (m) is an integer >= 1."""
    if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
        raise ValueError(f"pack is how many samples the discriminator judges together: an integer >= 1, got {pack!r}")


def option(arguments):
    """The checked `pack` of a model's keyword arguments (1 when not given)."""
    pack = arguments.get("pack", 1)
    check_pack(pack)
    return pack


def packed_shape(sample_shape, pack):
    """The discriminator's input shape for samples of `sample_shape` packed by `pack`: the last axis m times wider."""
    return tuple(sample_shape[:-1]) + (sample_shape[-1] * pack,)


def unpacked_shape(input_shape, pack, network="discriminator"):
    """The sample shape a discriminator of `input_shape` judges in packs of `pack`; ValueError when it does not divide."""
    if input_shape[-1] % pack:
        raise ValueError(
            f"the {network} takes inputs of shape {tuple(input_shape)}, whose last axis is not a multiple of "
            f"pack={pack}: build it for samples of m times the channels (kerasgan.packing.packed_shape)"
        )
    return tuple(input_shape[:-1]) + (input_shape[-1] // pack,)


def pack_samples(samples, pack):
    """(n, ..., c) samples -> (n // m, ..., m * c): each run of m consecutive samples joined along the last axis.

    A batch that m does not divide drops its last n mod m samples.
    """
    if pack == 1:
        return samples
    shape = ops.shape(samples)
    groups = shape[0] // pack
    grouped = ops.reshape(samples[: groups * pack], (groups, pack) + tuple(shape[1:]))
    grouped = ops.moveaxis(grouped, 1, -2)  # (groups, ..., m, c): the m samples side by side in each position
    return ops.reshape(grouped, (groups,) + tuple(shape[1:-1]) + (pack * shape[-1],))
