"""The layers of ProGAN's networks (Karras et al. 2018, arXiv:1710.10196, section 4): equalized learning
rate, pixelwise feature normalization and the minibatch standard deviation."""
import math

import keras
from keras import ops

from kerasgan.convolutions import Conv2D

SQRT_2 = math.sqrt(2.0)


def _unit_normal():
    return keras.initializers.RandomNormal(0.0, 1.0)


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedConv2D(Conv2D):
    """A convolution whose weights are drawn from N(0, 1) and scaled at run time by gain / sqrt(fan_in), He's
    constant (section 4.1): every weight then learns at the same speed under Adam.

    Args:
        filters, kernel_size: as keras.layers.Conv2D's; padding is "same" unless given.
        gain: sqrt(2) before a leaky ReLU, 1 for a linear output (toRGB).
    """

    def __init__(self, filters, kernel_size, gain=SQRT_2, padding="same", **kwargs):
        kwargs.setdefault("kernel_initializer", _unit_normal())
        super().__init__(filters, kernel_size, padding=padding, **kwargs)
        self.gain = float(gain)

    def convolution_op(self, inputs, kernel):
        fan_in = math.prod(kernel.shape[:-1])
        return super().convolution_op(inputs, kernel * (self.gain / math.sqrt(fan_in)))

    def get_config(self):
        config = super().get_config()
        config["gain"] = self.gain
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedDense(keras.layers.Dense):
    """A dense layer with ProGAN's equalized learning rate (see EqualizedConv2D).

    Args:
        units: as keras.layers.Dense's.
        gain: sqrt(2) before a leaky ReLU; 1 for the discriminator's logit; sqrt(2) / 4 for the generator's
            first layer, whose output is read as a 4x4 map (the authors' code).
    """

    def __init__(self, units, gain=SQRT_2, **kwargs):
        kwargs.setdefault("kernel_initializer", _unit_normal())
        super().__init__(units, **kwargs)
        self.gain = float(gain)

    def call(self, inputs):
        scale = self.gain / math.sqrt(self.kernel.shape[0])
        outputs = ops.matmul(inputs, self.kernel * ops.cast(scale, self.kernel.dtype))
        return outputs + self.bias if self.use_bias else outputs

    def get_config(self):
        config = super().get_config()
        config["gain"] = self.gain
        return config


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelNorm(keras.layers.Layer):
    """x / sqrt(mean over channels of x^2 + 1e-8) at every pixel (section 4.2), after each of G's convolutions."""

    def call(self, inputs):
        return inputs * ops.rsqrt(ops.mean(ops.square(inputs), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package="kerasgan")
class ClipOutsideTraining(keras.layers.Layer):
    """The generator's linear output (the paper's) as it is in training, clipped to the image range [-1, 1]
    outside it: what `generate`, the scores and the exports see."""

    def call(self, inputs, training=None):
        return inputs if training else ops.clip(inputs, -1.0, 1.0)


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStddev(keras.layers.Layer):
    """Appends one feature map: the standard deviation of each feature at each position over a group of
    samples, averaged into one number per group (section 3).

    The groups are `group_size` consecutive samples (the authors' code uses groups of 4; the paper's text,
    the whole minibatch): a replica's share of a batch is then judged as the whole batch judges it, so that
    training under tf.distribute is the same computation. A batch that `group_size` does not divide uses
    the largest divisor of its size that does not exceed it.

    Args:
        group_size: samples per group (4).
    """

    couples_batch = True  # the real and the fake batch go through D apart (kerasgan.networks.checks)

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.group_size = group_size

    def _group(self, batch):
        """The largest of group_size, ..., 1 that divides `batch` (a tensor)."""
        group = ops.convert_to_tensor(1, "int32")
        for size in range(2, self.group_size + 1):
            group = ops.where(ops.equal(batch % size, 0), size, group)
        return group

    def call(self, inputs):
        batch = ops.shape(inputs)[0]
        height, width, channels = inputs.shape[1:]
        group = self._group(batch)
        grouped = ops.reshape(inputs, (-1, group, height, width, channels))
        x = ops.cast(grouped, "float32")
        variance = ops.mean(ops.square(x - ops.mean(x, axis=1, keepdims=True)), axis=1)
        stddev = ops.mean(ops.sqrt(variance + 1e-8), axis=(1, 2, 3))  # one per group
        per_sample = ops.repeat(stddev, group, axis=0)
        feature = ops.broadcast_to(ops.reshape(per_sample, (-1, 1, 1, 1)), (batch, height, width, 1))
        return ops.concatenate([inputs, ops.cast(feature, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}
