"""A step of several updates keeps their order as a plain graph (kerasgan.graph_order)."""
import keras
import numpy as np

from kerasgan import precision, testing
from kerasgan.zoo import WGAN


class RewriteEachWeight:
    """A critic constraint that writes every weight back unchanged: a read of it that ran before the
    critic's update would write the old weight back and undo the update."""

    def __call__(self, variables):
        for variable in variables:
            variable.assign(variable * 1.0)


def two_critic_steps(run_eagerly):
    keras.utils.set_random_seed(0)
    with precision.auto_is("float32"):
        model = WGAN(
            image_shape=(16, 16, 1), latent_dim=8, filters=8, penalty=None, constraint=RewriteEachWeight(), critic_steps=2, seed=1
        )
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.1), discriminator_optimizer=keras.optimizers.SGD(0.1),
        jit_compile=False, run_eagerly=run_eagerly,
    )
    return model


def test_every_graph_step_of_two_critic_updates_matches_the_eager_step():
    batch = testing.images((16, 16, 1))
    eager = testing.fit_steps(two_critic_steps(run_eagerly=True), batch, 1).history
    model = two_critic_steps(run_eagerly=False)
    start = [np.array(v) for v in model.variables]  # built by compile; the weights and the noise state
    for attempt in range(40):  # with Grappler's dependency optimizer on, 33 of 150 steps read a weight too early
        for variable, value in zip(model.variables, start):
            variable.assign(value)
        graph = testing.fit_steps(model, batch, 1).history
        for name in eager:
            np.testing.assert_allclose(graph[name], eager[name], rtol=1e-5, err_msg=f"step {attempt}: {name}")
