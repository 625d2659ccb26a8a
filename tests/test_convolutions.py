"""kerasgan.convolutions: the kernel gradient as a forward convolution equals TensorFlow's, in the layers too."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import convolutions

SHAPES = [  # (height, width, in channels, out channels, kernel, stride, padding)
    (8, 8, 3, 5, 4, 2, "same"), (9, 7, 2, 4, 3, 2, "same"), (9, 7, 2, 4, 3, 2, "valid"), (10, 10, 3, 2, 5, 1, "same"),
    (11, 11, 2, 3, 4, 3, "valid"), (8, 8, 2, 3, 1, 1, "valid"),
]


@pytest.mark.parametrize("height,width,channels_in,channels_out,kernel,stride,padding", SHAPES)
def test_kernel_gradient_equals_tensorflows(height, width, channels_in, channels_out, kernel, stride, padding):
    rng = np.random.default_rng(0)
    inputs = tf.constant(rng.normal(size=(2, height, width, channels_in)), tf.float32)
    weights = tf.constant(rng.normal(size=(kernel, kernel, channels_in, channels_out)), tf.float32)
    upstream = tf.constant(rng.normal(size=tf.nn.conv2d(inputs, weights, stride, padding.upper()).shape), tf.float32)
    expected = tf.raw_ops.Conv2DBackpropFilter(
        input=inputs, filter_sizes=weights.shape, out_backprop=upstream, strides=[1, stride, stride, 1], padding=padding.upper()
    )
    got = convolutions.kernel_gradient(inputs, upstream, (kernel, kernel), (stride, stride), padding)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=2e-5)


def twins(kind, **arguments):
    """kerasgan's layer and Keras' with the same weights, built for (2, 8, 8, 3) inputs."""
    ours, theirs = getattr(convolutions, kind)(**arguments), getattr(keras.layers, kind)(**arguments)
    for layer in (ours, theirs):
        layer.build((2, 8, 8, 3))
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def gradients(layer, inputs, second_order):
    """d sum(outputs^2) / d (kernel, bias, inputs), or of a gradient-penalty-like ||d outputs / d inputs||^2."""
    with tf.GradientTape() as outer:
        outer.watch(inputs)
        if second_order:
            with tf.GradientTape() as inner:
                inner.watch(inputs)
                inner_loss = tf.reduce_sum(tf.cast(layer(inputs), tf.float32) ** 2)
            loss = tf.reduce_sum(tf.cast(inner.gradient(inner_loss, inputs), tf.float32) ** 2)
        else:
            loss = tf.reduce_sum(tf.cast(layer(inputs), tf.float32) ** 2)
    return [tf.cast(g, tf.float32).numpy() for g in outer.gradient(loss, [*layer.trainable_variables, inputs])]


@pytest.mark.parametrize("kind", ["Conv2D", "Conv2DTranspose"])
@pytest.mark.parametrize("second_order", [False, True])
def test_layers_under_bfloat16_give_keras_outputs_and_gradients(kind, second_order, float32_after):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    ours, theirs = twins(kind, filters=4, kernel_size=4, strides=2, padding="same", activation="relu")
    inputs = tf.cast(tf.random.stateless_normal((2, 8, 8, 3), seed=(1, 2)), tf.bfloat16)
    np.testing.assert_array_equal(ours(inputs).numpy(), theirs(inputs).numpy())
    for got, expected in zip(gradients(ours, inputs, second_order), gradients(theirs, inputs, second_order)):
        scale = np.abs(expected).max()
        np.testing.assert_allclose(got, expected, atol=0.02 * scale)  # bfloat16 rounding: 8 bits of mantissa


@pytest.mark.parametrize("kind", ["Conv2D", "Conv2DTranspose"])
def test_layers_in_float32_are_keras_own(kind):
    ours, theirs = twins(kind, filters=4, kernel_size=3, strides=2, padding="same")
    inputs = tf.random.stateless_normal((2, 8, 8, 3), seed=(3, 4))
    np.testing.assert_array_equal(ours(inputs).numpy(), theirs(inputs).numpy())
    for got, expected in zip(gradients(ours, inputs, False), gradients(theirs, inputs, False)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_layers_save_and_load_as_kerasgan_layers(tmp_path):
    inputs = keras.Input((8, 8, 3))
    outputs = convolutions.Conv2DTranspose(2, 4, strides=2, padding="same")(convolutions.Conv2D(4, 4, strides=2, padding="same")(inputs))
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert [type(layer) for layer in loaded.layers[1:]] == [convolutions.Conv2D, convolutions.Conv2DTranspose]
    batch = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(loaded(batch).numpy(), model(batch).numpy())
