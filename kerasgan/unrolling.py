"""Unrolled discriminator steps for the generator's loss (Metz et al. 2016, arXiv:1611.02163)."""
import tensorflow as tf
from keras import ops

from kerasgan import replicas


def unrolled_logits(discriminator, discriminator_loss, real, fake, conditions, steps, learning_rate):
    """D's logits of `fake` after `steps` gradient steps of D on (real, fake), differentiable in G.

    The surrogate f_K(θ_G, θ_D) = f(θ_G, θ_D^K) of section 2.2, with θ_D^{k+1} = θ_D^k - η ∂L_D/∂θ_D^k
    (the paper's ascent on the value function, written as descent on D's loss). G's gradient
    flows through every step, the full gradient of section 2.3. The steps act on copies of D's
    weights (`stateless_call`): D does not change. Plain gradient descent, because Keras
    optimizers' `stateless_apply` is JAX-only.
    """
    weights = [variable.value for variable in discriminator.trainable_variables]
    frozen = [variable.value for variable in discriminator.non_trainable_variables]

    def logits(weights, samples):
        inputs = [samples, *conditions] if conditions else samples
        return discriminator.stateless_call(weights, frozen, inputs, training=True)[0]

    count, _ = replicas.share()
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            loss = ops.mean(discriminator_loss(logits(weights, real), logits(weights, fake))) / count
        gradients = replicas.sum_across(tape.gradient(loss, weights))  # the global batch's gradient
        weights = [
            weight if gradient is None else weight - learning_rate * tf.convert_to_tensor(gradient)  # embeddings: sparse
            for weight, gradient in zip(weights, gradients)
        ]
    return logits(weights, fake)
