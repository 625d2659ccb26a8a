"""Progressive growing (Karras et al. 2018, "Progressive Growing of GANs", arXiv:1710.10196, section 2).

Training starts at 4x4 and doubles the resolution stage by stage. A new resolution's layers are faded
in: while alpha goes 0 -> 1 over `stage_images` images, the output is (1 - alpha) times the previous
resolution's, upsampled, plus alpha times the new one's (and the discriminator's input side mirrors
this); then the stage is stabilized for `stage_images` more images with alpha = 1.

Both are read off one number, the level L = stage + alpha - 1: 0 at 4x4, k when the k-th doubling is
fully in, fractional during a fade. kerasgan's progressive networks hold every resolution's layers from
the start and mix them by L (a variable of theirs, set from the images seen before each step): the saved
model, its resume and its exports are one network at every level. Layers above the level enter with
weight 0, so a training step need not run them: ProGAN traces its step once per depth with the part of
each network at that depth (kerasgan.networks.progan.generator_at and discriminator_at).
"""
import keras
from keras import ops


def check_stage_images(stage_images):
    """`stage_images` as an int >= 0; ValueError otherwise."""
    if isinstance(stage_images, bool) or not isinstance(stage_images, int) or stage_images < 0:
        raise ValueError(
            f"stage_images must be an integer >= 0 (the images of each fade-in and each stabilization; 0: no growing), "
            f"got {stage_images!r}"
        )
    return stage_images


def level_at(images_seen, stage_images, levels):
    """The level L after `images_seen` images: 4x4 alone for `stage_images`, then per doubling a fade-in of
    `stage_images` (L rises by 1) and a stabilization of `stage_images`; at most `levels` - 1, which
    `stage_images` = 0 gives from the start."""
    top = float(levels - 1)
    if stage_images == 0:
        return ops.convert_to_tensor(top)
    images = ops.cast(images_seen, "float32") / float(stage_images)  # in phases of stage_images
    after_first = ops.maximum(images - 1.0, 0.0)
    doublings = ops.floor(after_first / 2.0)  # each doubling takes a fade and a stabilization
    fade = ops.minimum(after_first - 2.0 * doublings, 1.0)
    return ops.minimum(doublings + fade, top)


def level_weights(level, count):
    """Weights of resolutions 0 .. count - 1 at `level`: max(0, 1 - |level - i|), so 1 - alpha for the
    previous resolution and alpha for the new one during a fade, and 1 for the level's own otherwise."""
    indices = ops.arange(count, dtype="float32")
    return ops.maximum(0.0, 1.0 - ops.abs(ops.cast(level, "float32") - indices))


class _Leveled(keras.layers.Layer):
    """A layer that holds the level it mixes at (saved with the network, set by `set_level`)."""

    def build(self, input_shape):
        self.level = self.add_weight(
            shape=(), initializer="zeros", trainable=False, aggregation="only_first_replica", name="level", autocast=False
        )


@keras.saving.register_keras_serializable(package="kerasgan")
class LevelMix(_Leveled):
    """The generator's output: the sum over resolutions of level_weights * that resolution's RGB image,
    each upsampled to the final size beforehand."""

    def call(self, images):
        weights = ops.cast(level_weights(self.level, len(images)), images[0].dtype)
        return sum(weights[i] * image for i, image in enumerate(images))

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="kerasgan")
class FadeIn(_Leveled):
    """The discriminator's features entering resolution `index`: a * (the higher resolution's block output)
    + (1 - a) * (fromRGB of the image pooled to this resolution), a = clip(level - index, 0, 1)."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = index

    def call(self, inputs):
        from_above, from_image = inputs
        a = ops.cast(ops.clip(self.level - float(self.index), 0.0, 1.0), from_above.dtype)
        return a * from_above + (1.0 - a) * from_image

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "index": self.index}


def leveled_layers(network):
    """The layers of `network` that mix by level."""
    return [layer for layer in network._flatten_layers() if isinstance(layer, _Leveled)]


def set_level(networks, level):
    """Sets the level every progressive layer of `networks` mixes at."""
    for network in networks:
        for layer in leveled_layers(network):
            layer.level.assign(ops.cast(level, layer.level.dtype))
