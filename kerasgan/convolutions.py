"""Conv2D and Conv2DTranspose whose kernel gradient runs as a forward convolution in bfloat16 on the CPU.

Why by hand: TensorFlow's bfloat16 Conv2DBackpropFilter (the gradient of a convolution's
kernel) is no faster on the CPU than its float32 one, while its bfloat16 forward convolution is
more than twice as fast as float32's (measured per layer of DCGAN 32x32 by bench/conv_kernels.py).
The kernel gradient is itself a convolution: for y = conv(x, W) with stride s,

    dW[a, b, i, o] = sum over n, h, w of  x_padded[n, s*h + a, s*w + b, i] * dy[n, h, w, o],

that is a stride-1 convolution of x_padded with its batch and channel axes swapped, by dy
(batch and channel axes swapped) dilated by s. These layers compute it that way when their
inputs are bfloat16 and no GPU is visible; otherwise, and for what the rewrite does not cover
(dilation, groups, channels_first, unknown spatial sizes, output_padding), they are Keras'
own layers. Outputs and the input gradient are TensorFlow's own kernels either way.
"""
import functools

import keras
import tensorflow as tf
from keras import ops


def _same_padding(size_in, size_out, kernel_size, stride):
    """(before, after) of TensorFlow's "SAME" padding along one axis."""
    total = max((size_out - 1) * stride + kernel_size - size_in, 0)
    return total // 2, total - total // 2


def kernel_gradient(inputs, upstream, kernel_size, strides, padding):
    """d loss / d kernel of conv2d(inputs, kernel, strides, padding) as one forward convolution.

    Args:
        inputs: (batch, height, width, in_channels), what the convolution read.
        upstream: (batch, out_height, out_width, out_channels), d loss / d its output.
        kernel_size, strides: (height, width) pairs; padding: "same" or "valid".
    Returns:
        (kernel_height, kernel_width, in_channels, out_channels), in the inputs' dtype.
    """
    spans = []
    for axis in (1, 2):
        size_in, size_out, kernel, stride = inputs.shape[axis], upstream.shape[axis], kernel_size[axis - 1], strides[axis - 1]
        before, after = _same_padding(size_in, size_out, kernel, stride) if padding == "same" else (0, 0)
        spans.append((before, after, (size_out - 1) * stride + kernel))  # the rows/columns the kernel ever covers
    padded = tf.pad(inputs, [[0, 0], spans[0][:2], spans[1][:2], [0, 0]])
    padded = padded[:, : spans[0][2], : spans[1][2], :]
    swapped = tf.transpose(padded, [3, 1, 2, 0])  # (in_channels, height, width, batch)
    filters = tf.transpose(upstream, [1, 2, 0, 3])  # (out_height, out_width, batch, out_channels)
    gradient = tf.nn.conv2d(swapped, filters, strides=1, padding="VALID", dilations=list(strides))
    return tf.transpose(gradient, [1, 2, 0, 3])  # (kernel_height, kernel_width, in_channels, out_channels)


def conv2d(inputs, kernel, strides, padding):
    """tf.nn.conv2d (channels last) whose kernel gradient is `kernel_gradient`."""

    @tf.custom_gradient
    def convolve(inputs, kernel):
        outputs = tf.nn.conv2d(inputs, kernel, strides=list(strides), padding=padding.upper())

        def gradient(upstream):
            to_inputs = tf.raw_ops.Conv2DBackpropInput(
                input_sizes=tf.shape(inputs), filter=kernel, out_backprop=upstream, strides=[1, *strides, 1],
                padding=padding.upper(),
            )
            return to_inputs, kernel_gradient(inputs, upstream, kernel.shape[:2], strides, padding)

        return outputs, gradient

    return convolve(inputs, tf.cast(kernel, inputs.dtype))  # read outside: custom_gradient sees a tensor, not a variable


def conv2d_transpose(inputs, kernel, strides, padding, convolve_transposed):
    """`convolve_transposed(inputs, kernel)` (a transposed convolution) whose kernel gradient is `kernel_gradient`.

    A transposed convolution is the input gradient of the convolution that maps its output back
    to its input: its kernel gradient is that convolution's, with the roles of the two swapped.
    """

    @tf.custom_gradient
    def convolve(inputs, kernel):
        outputs = convolve_transposed(inputs, kernel)

        def gradient(upstream):
            to_inputs = tf.nn.conv2d(upstream, kernel, strides=list(strides), padding=padding.upper())
            return to_inputs, kernel_gradient(upstream, inputs, kernel.shape[:2], strides, padding)

        return outputs, gradient

    return convolve(inputs, tf.cast(kernel, inputs.dtype))


def _rewrites(layer, inputs):
    """Whether `layer` computes its kernel gradient with `kernel_gradient` for these inputs."""
    return (
        inputs.dtype == tf.bfloat16
        and layer.data_format == "channels_last"
        and tuple(layer.dilation_rate) == (1, 1)
        and getattr(layer, "groups", 1) == 1
        and getattr(layer, "output_padding", None) is None
        and None not in tuple(inputs.shape[1:])
        and not _gpu_visible()
    )


@functools.cache
def _gpu_visible():
    return bool(tf.config.list_physical_devices("GPU"))


@keras.saving.register_keras_serializable(package="kerasgan")
class Conv2D(keras.layers.Conv2D):
    """keras.layers.Conv2D, its kernel gradient a forward convolution under bfloat16 on the CPU (see the module)."""

    def convolution_op(self, inputs, kernel):
        if not _rewrites(self, inputs):
            return super().convolution_op(inputs, kernel)
        return conv2d(inputs, kernel, tuple(self.strides), self.padding)


@keras.saving.register_keras_serializable(package="kerasgan")
class Conv2DTranspose(keras.layers.Conv2DTranspose):
    """keras.layers.Conv2DTranspose, its kernel gradient a forward convolution under bfloat16 on the CPU."""

    def call(self, inputs):
        if not _rewrites(self, inputs):
            return super().call(inputs)
        transposed = functools.partial(
            ops.conv_transpose, strides=list(self.strides), padding=self.padding, output_padding=None,
            data_format=self.data_format, dilation_rate=self.dilation_rate,
        )
        outputs = conv2d_transpose(inputs, self.kernel, tuple(self.strides), self.padding, transposed)
        if self.use_bias:
            outputs = ops.add(outputs, ops.reshape(self.bias, (1, 1, 1, self.filters)))
        return self.activation(outputs) if self.activation is not None else outputs
