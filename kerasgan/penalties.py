"""Regularizers of the discriminator (critic) and of the generator's samples.

Per-example functions return shape (batch,); the caller reduces. `clip_weights` acts on
variables, `pull_away_term` on a batch.
"""
import tensorflow as tf
from keras import ops


def _gradient_norms(critic, inputs):
    """||d critic(x) / dx||_2 per example, computed in float32 (a second-order term).

    `critic` is any callable x -> scores: a Keras model (called in inference mode) or a
    function that calls one with training=True.
    """
    inputs = tf.cast(inputs, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = tf.cast(critic(inputs), tf.float32)
    gradients = tape.gradient(outputs, inputs)
    squares = ops.sum(ops.square(gradients), axis=tuple(range(1, len(gradients.shape))))
    return ops.sqrt(squares + 1e-12)


def interpolates(real, fake, epsilon):
    """epsilon * real + (1 - epsilon) * fake, one epsilon in [0, 1] per example (Gulrajani et al. 2017)."""
    real, fake = tf.cast(real, tf.float32), tf.cast(fake, tf.float32)
    epsilon = ops.reshape(tf.cast(epsilon, tf.float32), (-1,) + (1,) * (len(real.shape) - 1))
    return epsilon * real + (1.0 - epsilon) * fake


def gradient_penalty(critic, real, fake, epsilon):
    """(||grad critic(x_hat)||_2 - 1)^2 on random interpolates x_hat (WGAN-GP, Gulrajani et al. 2017, arXiv:1704.00028)."""
    return ops.square(_gradient_norms(critic, interpolates(real, fake, epsilon)) - 1.0)


def r1_penalty(discriminator, real):
    """1/2 ||grad D(x)||_2^2 on real data (R1, Mescheder et al. 2018, arXiv:1801.04406); weight it by gamma."""
    return 0.5 * ops.square(_gradient_norms(discriminator, real))


def clip_weights(variables, clip_value):
    """Clips every variable to [-clip_value, clip_value] in place (WGAN, Arjovsky et al. 2017, arXiv:1701.07875)."""
    for variable in variables:
        variable.assign(ops.clip(variable, -clip_value, clip_value))


def pull_away_term(features):
    """Mean squared cosine similarity of distinct pairs in a batch (EBGAN, Zhao et al. 2016, arXiv:1609.03126).

    f_PT(S) = 1 / (N (N - 1)) * sum_{i != j} (s_i . s_j / (|s_i| |s_j|))^2; a scalar.
    """
    features = ops.reshape(tf.cast(features, tf.float32), (ops.shape(features)[0], -1))
    unit = features / (ops.norm(features, axis=1, keepdims=True) + 1e-12)
    cosines = ops.square(ops.matmul(unit, ops.transpose(unit)))
    count = tf.cast(ops.shape(features)[0], tf.float32)
    return (ops.sum(cosines) - ops.sum(ops.diagonal(cosines))) / (count * (count - 1.0))
