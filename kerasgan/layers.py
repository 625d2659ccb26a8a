"""Layers the networks share: reflection padding, nearest upsampling, sub-pixel upsampling, instance norm, an image
pool, gradient reversal, maxout."""
import math
import numbers

import keras
import tensorflow as tf
from keras import ops

from kerasgan import replicas


@keras.saving.register_keras_serializable(package="kerasgan")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring the image without its edge (numpy.pad mode="reflect").

    Used in place of zero padding by Johnson et al. 2016 (arXiv:1603.08155) and CycleGAN
    (Zhu et al. 2017, arXiv:1703.10593) to avoid artifacts at the borders. channels_last.
    """

    def __init__(self, padding=(1, 1), **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = (padding, padding)
        if len(padding) != 2 or any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in padding):
            raise ValueError(f"padding must be an int or (height, width) of ints >= 0, got {padding!r}")
        self.padding = tuple(padding)

    def build(self, input_shape):
        for side, size, pad in zip(("height", "width"), input_shape[1:3], self.padding):
            if size is not None and pad >= size:
                raise ValueError(
                    f"ReflectionPadding2D cannot pad a {side} of {size} by {pad}: reflection needs padding "
                    "smaller than the side; use a larger input or less padding"
                )

    def call(self, inputs):
        pad_h, pad_w = self.padding
        return ops.pad(inputs, [[0, 0], [pad_h, pad_h], [pad_w, pad_w], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        pad_h, pad_w = self.padding
        return (
            batch,
            None if height is None else height + 2 * pad_h,
            None if width is None else width + 2 * pad_w,
            channels,
        )

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="kerasgan")
class NearestUpsampling2D(keras.layers.Layer):
    """Doubles height and width, each pixel repeated in a 2x2 block (channels_last, static height and width).

    Why not UpSampling2D or a resize: TFLite's converter loses the static height of UpSampling2D's repeats and
    then keeps the next convolution out of its builtins, and the gradient of a nearest-neighbour resize has no
    XLA kernel on the CPU. Two reshapes and two concatenations have neither problem.
    """

    def call(self, inputs):
        height, width, channels = inputs.shape[1:]
        x = ops.reshape(inputs, (-1, height, width, 1, channels))
        x = ops.reshape(ops.concatenate([x, x], axis=3), (-1, height, 1, 2 * width, channels))
        return ops.reshape(ops.concatenate([x, x], axis=2), (-1, 2 * height, 2 * width, channels))

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, 2 * height, 2 * width, channels)


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel upsampling (Shi et al. 2016, arXiv:1609.05158): (B, H, W, r*r*C) -> (B, r*H, r*W, C), each
    pixel's r*r groups of channels laid out as an r x r block (tf.nn.depth_to_space; Keras has no such layer).

    Args:
        factor: r, the upsampling factor.
    """

    def __init__(self, factor=2, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return tf.nn.depth_to_space(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        scale = lambda side: None if side is None else side * self.factor  # noqa: E731
        return (batch, scale(height), scale(width), channels // self.factor**2)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def batch_norm(name=None, affine=True):
    """Batch normalization (Ioffe & Szegedy 2015, arXiv:1502.03167) over the global batch.

    synchronized=True: under tf.distribute the statistics are all-reduced across replicas, so
    a step on N replicas normalizes as one device would; on one device it is the plain layer.
    affine=False: no learned scale and offset (a conditional batch norm brings its own).
    """
    return keras.layers.BatchNormalization(synchronized=True, center=affine, scale=affine, name=name)


def instance_norm(name=None):
    """Instance normalization (Ulyanov et al. 2016, arXiv:1607.08022): each image's channels to mean 0, std 1.

    Without a learned scale and offset, as in the CycleGAN authors' code. A GroupNormalization
    with one group per channel, which converts to TFLite with builtin ops only.
    """
    return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False, name=name)


@keras.saving.register_keras_serializable(package="kerasgan")
class ImagePool(keras.layers.Layer):
    """A history of generated images to show the discriminator (Shrivastava et al. 2017, arXiv:1612.07828).

    As CycleGAN uses it (Zhu et al. 2017, section 4, a pool of 50): `pool(images, seed=...)`
    stores each image and returns it while the pool is not full; once full, each image is
    returned as is with probability 0.5, else a uniformly chosen stored image is returned in
    its place and the image replaces it in the pool. pool_size=0 returns `images` unchanged.

    Images of one batch are treated at once: those that swap read the pool as it is after the
    batch's images have filled its empty slots; when several pick one slot, each gets that
    slot's image and the last of them (in batch order) is stored.

    seed: a keras.random.SeedGenerator (advanced each call) or an int (the same draw each call).
    The pool and its count are non-trainable variables, saved in .keras files and checkpoints.
    Build the layer (or call it once) outside tf.distribute's replica context. Inside
    strategy.run, the replicas' batches are gathered into one global batch in replica order:
    every replica computes the same new pool, kept from the first replica (the variables
    aggregate "only_first_replica"), and returns its own rows, as one device would for the
    global batch, given the same draws on every replica (a SeedGenerator made in the scope).
    """

    def __init__(self, pool_size=50, **kwargs):
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0 (0 turns the pool off), got {pool_size!r}")
        self.pool_size = pool_size

    def build(self, input_shape):
        if len(input_shape) != 4 or any(size is None for size in input_shape[1:]):
            raise ValueError(
                f"ImagePool stores images of a fixed (height, width, channels): it needs batches of shape "
                f"(batch, height, width, channels), got {tuple(input_shape)}"
            )
        # Every replica computes the same update, so the first one's value is the one to keep.
        self.images = self.add_weight(
            shape=(self.pool_size,) + tuple(input_shape[1:]),
            initializer="zeros",
            trainable=False,
            autocast=False,
            aggregation="only_first_replica",
            name="images",
        )
        self.count = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="count",
        )

    def call(self, images, seed):
        if self.pool_size == 0:
            return images
        count, replica_id = replicas.share()
        if count == 1:
            returned = self._query(images, seed)
        else:
            # Gather: one global batch in replica order; each replica keeps its own rows.
            offset = ops.sum(replicas.gather(tf.shape(images)[:1])[:replica_id])
            returned = self._query(replicas.gather(images), seed)
            returned = returned[offset : offset + ops.shape(images)[0]]
        return ops.cast(returned, images.dtype)

    def _query(self, images, seed):
        """The images to return for a whole batch; assigns the new pool and count."""
        images = ops.cast(images, self.images.dtype)
        batch = ops.shape(images)[0]
        positions = ops.arange(batch)
        draws = keras.random.uniform((batch, 2), seed=seed)
        # Fill: the first images take the empty slots in order and are returned as they are.
        filling = positions < self.pool_size - self.count
        filled = self._stored(self.images, self.count + positions, images, filling)
        # Swap: each later image, with probability 0.5, trades places with a random stored one.
        swaps = ops.logical_and(ops.logical_not(filling), draws[:, 0] < 0.5)
        slots = ops.minimum(ops.cast(draws[:, 1] * self.pool_size, "int32"), self.pool_size - 1)
        returned = ops.where(swaps[:, None, None, None], ops.take(filled, slots, axis=0), images)
        same_slot_later = ops.logical_and(slots[:, None] == slots[None, :], positions[:, None] < positions[None, :])
        overwritten = ops.any(ops.logical_and(same_slot_later, swaps[None, :]), axis=1)
        self.images.assign(self._stored(filled, slots, images, ops.logical_and(swaps, ops.logical_not(overwritten))))
        self.count.assign(ops.minimum(self.count + batch, self.pool_size))
        return returned

    def _stored(self, pool, slots, images, keep):
        """`pool` with images[i] written to slots[i] where keep[i] (kept slots must differ)."""
        # The others go to a spare row past the end, dropped after, so no index repeats in the pool.
        slots = ops.where(keep, slots, self.pool_size)
        padded = ops.concatenate([pool, ops.zeros_like(pool[:1])], axis=0)
        return ops.scatter_update(padded, slots[:, None], images)[: self.pool_size]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size}


@keras.saving.register_keras_serializable(package="kerasgan")
class GradientReversal(keras.layers.Layer):
    """The identity forward; multiplies the gradient by -strength backward (Ganin et al. 2016, arXiv:1505.07818).

    DANN puts it between the feature extractor and the domain classifier, so the features learn
    to confuse the classifier that learns to tell the domains apart. `layer.strength` is a
    non-trainable float32 variable: `layer.strength.assign(x)` (or `layer.strength = x`) changes
    it inside a traced step or from a callback without retracing, as the paper's schedule
    λ_p = 2 / (1 + exp(-10 p)) - 1 needs. get_config keeps the constructor's strength; the
    current value is saved with the weights. The gradient keeps its dtype (mixed precision).
    Under tf.distribute, make it in the strategy's scope; a step that assigns it inside the
    replicas must give each the same value (the variable keeps the first replica's).
    """

    def __init__(self, strength=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(strength, bool) or not isinstance(strength, numbers.Real) or not math.isfinite(strength):
            raise ValueError(f"strength must be a finite number (0 stops the reversed gradient), got {strength!r}")
        self.initial_strength = float(strength)
        self._strength = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.initial_strength),
            dtype="float32",
            trainable=False,
            autocast=False,
            aggregation="only_first_replica",
            name="strength",
        )

    @property
    def strength(self):
        return self._strength

    @strength.setter
    def strength(self, value):
        self._strength.assign(value)

    def call(self, inputs):
        strength = self._strength.value

        @ops.custom_gradient
        def reverse(x):
            def grad(*args, upstream=None):
                if upstream is None:
                    (upstream,) = args
                return upstream * ops.cast(-strength, upstream.dtype)

            return x, grad

        return reverse(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "strength": self.initial_strength}


@keras.saving.register_keras_serializable(package="kerasgan")
class Maxout(keras.layers.Layer):
    """The largest of `pieces` linear units per output (Goodfellow et al. 2013, arXiv:1302.4389): a Dense
    layer of units x pieces outputs, reduced by max over each group of `pieces`. Keras has no maxout layer,
    hence this one; PacGAN's 2-D mixture discriminators are made of them (Lin et al. 2018)."""

    def __init__(self, units, pieces, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("units", units), ("pieces", pieces)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Maxout {name} must be a positive integer, got {value!r}")
        self.units, self.pieces = units, pieces
        self.linear = keras.layers.Dense(units * pieces, dtype=self.dtype_policy)

    def build(self, input_shape):
        self.linear.build(input_shape)

    def call(self, inputs):
        linear = self.linear(inputs)
        pieces = ops.reshape(linear, tuple(ops.shape(linear)[:-1]) + (self.units, self.pieces))
        return ops.max(pieces, axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}
