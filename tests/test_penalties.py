"""Penalties against values computed by hand."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import penalties


def linear_critic(weights):
    """f(x) = w . x: its input gradient is w everywhere."""
    inputs = keras.Input((len(weights),))
    layer = keras.layers.Dense(1, use_bias=False, kernel_initializer=keras.initializers.Constant(0.0))
    model = keras.Model(inputs, layer(inputs))
    layer.kernel.assign(np.array(weights, "float32")[:, None])
    return model


def test_gradient_penalty_of_a_linear_critic():
    critic = linear_critic([3.0, 4.0])  # ||w|| = 5 -> (5 - 1)^2 = 16 wherever it is evaluated
    real, fake = np.ones((2, 2), "float32"), np.zeros((2, 2), "float32")
    np.testing.assert_allclose(penalties.gradient_penalty(critic, real, fake, np.array([0.3, 0.9])), [16.0, 16.0], rtol=1e-5)
    np.testing.assert_allclose(penalties.gradient_penalty(linear_critic([0.6, 0.8]), real, fake, [0.5, 0.5]), [0.0, 0.0], atol=1e-6)


def test_gradient_penalty_on_images_and_nonlinear_critic():
    # f(x) = sum(x^2) / 2 has gradient x; at x_hat = eps * real, ||x_hat|| = eps * ||real||
    inputs = keras.Input((2, 2, 1))
    critic = keras.Model(inputs, keras.layers.Lambda(lambda x: 0.5 * tf.reduce_sum(x * x, axis=[1, 2, 3])[:, None])(inputs))
    real = np.full((1, 2, 2, 1), 1.0, "float32")  # ||real|| = 2
    value = penalties.gradient_penalty(critic, real, np.zeros_like(real), [0.25])
    np.testing.assert_allclose(value, [(0.25 * 2 - 1) ** 2], rtol=1e-5)


def test_interpolates_follow_epsilon_per_example():
    real, fake = np.full((2, 3), 2.0, "float32"), np.zeros((2, 3), "float32")
    np.testing.assert_allclose(penalties.interpolates(real, fake, [0.0, 0.5]), [[0, 0, 0], [1, 1, 1]])


def test_r1_penalty_is_half_the_squared_gradient_norm():
    np.testing.assert_allclose(penalties.r1_penalty(linear_critic([3.0, 4.0]), np.ones((3, 2), "float32")), [12.5] * 3, rtol=1e-5)


def test_clip_weights():
    variables = [keras.Variable(np.array([-0.5, 0.005, 0.3], "float32")), keras.Variable(np.array([[2.0]], "float32"))]
    penalties.clip_weights(variables, 0.01)
    np.testing.assert_allclose(variables[0].numpy(), [-0.01, 0.005, 0.01])
    np.testing.assert_allclose(variables[1].numpy(), [[0.01]])


def test_pull_away_term_by_hand():
    # orthogonal features: every pair has cosine 0
    assert float(penalties.pull_away_term(np.eye(3, dtype="float32"))) == pytest.approx(0.0, abs=1e-7)
    # identical directions: every pair has cosine 1
    assert float(penalties.pull_away_term(np.array([[1, 0], [2, 0], [3, 0]], "float32"))) == pytest.approx(1.0)
    # two vectors at 60 degrees: cos^2 = 1/4, both ordered pairs -> (1/4 + 1/4) / (2 * 1)
    features = np.array([[1.0, 0.0], [0.5, math.sqrt(3) / 2]], "float32")
    assert float(penalties.pull_away_term(features)) == pytest.approx(0.25, rel=1e-5)
    # feature maps are flattened per example
    assert float(penalties.pull_away_term(np.ones((4, 2, 2, 3), "float32"))) == pytest.approx(1.0)
