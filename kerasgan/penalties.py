"""Regularizers of the discriminator (critic) and of the generator's samples.

Per-example functions return shape (batch,); the caller reduces. `clip_weights` acts on
variables, `pull_away_term` on a batch. `GradientPenalty` and `R1Penalty` are those terms as
objects a GAN adds to its discriminator loss; `WeightClipping` a constraint it applies after
each discriminator update.
"""
import keras
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


# --- penalties and constraints as objects: what a GAN's `penalty=` / `constraint=` take -----------


class Penalty:
    """A weighted term of the discriminator's loss: `name` (its logged metric), `weight`, and
    `__call__(critic, real, fake, draw)` returning the unweighted term (a scalar).

    Args:
        weight: the term's weight (>= 0).
    """

    name = "penalty"

    def __init__(self, weight=10.0):
        if not weight >= 0:
            raise ValueError(f"the {self.name.replace('_', ' ')}'s weight must be >= 0, got {weight!r}")
        self.weight = float(weight)

    def __call__(self, critic, real, fake, draw):
        raise NotImplementedError

    def get_config(self):
        return {"weight": self.weight}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="kerasgan")
class GradientPenalty(Penalty):
    """A loss term of the critic: weight * E[(||grad D(x_hat)||_2 - 1)^2] on random interpolates x_hat
    of real and fake samples (WGAN-GP, Gulrajani et al. 2017, arXiv:1704.00028, equation 3).

    Args:
        weight: lambda, 10 in the paper.
    """

    name = "gradient_penalty"

    def __call__(self, critic, real, fake, draw):
        """The unweighted penalty (a scalar). `draw(batch_size, shape, distribution)` gives this
        replica's rows of one global draw (kerasgan.adversarial.AdversarialModel.replica_draw)."""
        epsilon = draw(ops.shape(real)[0], (), keras.random.uniform)
        return ops.mean(gradient_penalty(critic, real, fake, epsilon))

    def default_optimizer(self):
        """Adam(1e-4, beta_1=0.5, beta_2=0.9): the paper's learning rate and beta_2; its beta_1 is 0, kerasgan keeps DCGAN's 0.5."""
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5, beta_2=0.9)


@keras.saving.register_keras_serializable(package="kerasgan")
class R1Penalty(Penalty):
    """A loss term of the discriminator: weight * 1/2 E[||grad D(x)||_2^2] on real data
    (R1, Mescheder et al. 2018, arXiv:1801.04406, equation 9, weight = gamma).

    Args:
        weight: gamma; 10 is the paper's value for its image experiments.
    """

    name = "r1_penalty"

    def __call__(self, critic, real, fake, draw):
        return ops.mean(r1_penalty(critic, real))


@keras.saving.register_keras_serializable(package="kerasgan")
class WeightClipping:
    """A constraint on the critic, applied after each of its updates: every weight clipped to
    [-clip_value, clip_value] (WGAN, Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1).

    Args:
        clip_value: c, 0.01 in the paper.
    """

    def __init__(self, clip_value=0.01):
        if not clip_value > 0:
            raise ValueError(f"clip_value must be > 0 (weights are clipped to [-clip_value, clip_value]), got {clip_value!r}")
        self.clip_value = float(clip_value)

    def __call__(self, variables):
        clip_weights(variables, self.clip_value)

    def default_optimizer(self):
        """The paper's RMSprop(5e-5)."""
        return keras.optimizers.RMSprop(learning_rate=5e-5)

    def get_config(self):
        return {"clip_value": self.clip_value}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


PENALTIES = {"gp": GradientPenalty, "r1": R1Penalty}
CONSTRAINTS = {"clip": WeightClipping}


def get(penalty, weight=None):
    """A penalty object from a name ("gp", "r1"), an object (kept) or None; `weight` sets a named one's weight."""
    if penalty is None or (callable(penalty) and hasattr(penalty, "weight")):
        return penalty  # none, or a penalty object (a user's own too)
    if penalty not in PENALTIES:
        raise ValueError(f"unknown penalty {penalty!r}: use one of {(None, *PENALTIES, *CONSTRAINTS)} or a penalty object")
    return PENALTIES[penalty]() if weight is None else PENALTIES[penalty](weight)


def get_constraint(constraint, clip_value=None):
    """A constraint object from a name ("clip"), an object (kept) or None."""
    if constraint is None or callable(constraint):
        return constraint
    if constraint not in CONSTRAINTS:
        raise ValueError(f"unknown constraint {constraint!r}: use 'clip' or a constraint object")
    return CONSTRAINTS[constraint]() if clip_value is None else CONSTRAINTS[constraint](clip_value)
