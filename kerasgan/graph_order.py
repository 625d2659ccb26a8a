"""Keeps the updates of one training step in the order they are written when the step runs as a plain graph.

A kerasgan step makes several optimizer updates in turn (the critic's, then the generator's), and each
update's forward pass reads weights the one before it wrote. TensorFlow orders those reads and writes with
control edges, but Grappler's dependency optimizer (TensorFlow 2.21 on the CPU) sometimes drops one, and the
graph executor then runs a read before the write it should follow. WGAN with two critic steps and a
constraint that writes each weight back after its update lost the update in 33 of 150 steps; with the pass
off, in none of 150 (tests/test_graph_order.py checks 40). XLA-compiled steps keep the order either way.
Turning the pass off cost nothing measurable here: 60 DCGAN steps at 28x28 took 20.5 s with or without it.
"""
import tensorflow as tf


def keep_update_order():
    """Turns off Grappler's dependency optimization for this process: graphs traced from now on keep every
    read of a variable after the writes that precede it in the step."""
    tf.config.optimizer.set_experimental_options({"dependency_optimization": False})
