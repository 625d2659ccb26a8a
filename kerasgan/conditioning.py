"""Class-conditional GANs: what a GAN whose networks take [x, labels] adds to the base class.

`ClassConditional` is mixed in before `kerasgan.gan.GAN`: it asks fit for (images, labels) batches, checks
the labels, passes the batch's labels to both networks, cycles the classes in `generate(n, labels=...)`,
and exports signatures that take labels. The class sets `num_classes` and builds networks whose second
input is int labels of shape (batch,): CGAN (kerasgan.zoo.cgan) and SNGAN with a projection
discriminator (kerasgan.zoo.sngan_projection).
"""
import numpy as np
import tensorflow as tf

from kerasgan import batches, gan, images
from kerasgan.networks import checks
from kerasgan.registry import Flag

NUM_CLASSES = Flag("num_classes", int, "Conditional models: number of labels; default: counted from the dataset.")
# One label per sample: a conditional discriminator cannot judge packs (PacGAN).
FLAGS = tuple(flag for flag in gan.FLAGS if flag.name != "pack")


def check_num_classes(num_classes):
    """Raises ValueError unless `num_classes` is an integer >= 2."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    return num_classes


class ClassConditional:
    """G(z | y) and D(x | y) for labels y in [0, num_classes), trained on (images, labels) batches.

    `generate(n, labels=...)`: an int, a sequence (cycled to n) or None for 0, 1, ..., num_classes - 1 in turn.
    """

    conditional = True
    dataset_options = {"with_labels": True}
    num_classes = None  # set by the class's __init__ before the base class builds

    @classmethod
    def data_arguments(cls, element_spec, flags):
        from kerasgan import data

        return {
            "image_shape": gan.image_shape_of(cls.__name__, element_spec, flags),
            "num_classes": flags.num_classes or data.num_classes(flags.dataset),
        }

    def check_networks(self, generator, discriminator):
        name = type(self).__name__
        for role, network, first in (("generator", generator, "z"), ("discriminator", discriminator, "images")):
            checks.check_network(role, network)
            if len(network.inputs) != 2 or len(network.inputs[1].shape) != 1:
                raise ValueError(f"a {name} {role} takes two inputs, [{first}, labels] with labels of shape (batch,)")
        checks.check_fit(generator, discriminator)

    def batch(self):
        parts = (batches.Part("images", self.sample_shape), batches.Part("labels", (), batches.LABELS, self.num_classes))
        return batches.Batch(type(self).__name__, parts, "load it with kerasgan.data.load(..., with_labels=True)")

    def check_labels(self, labels, role="labels"):
        """Raises ValueError unless every label is an integer in [0, num_classes)."""
        return images.check_labels(labels, self.num_classes, role)

    def split_batch(self, data):
        return data[0], (images.labels_in_range(data[1], self.num_classes, type(self).__name__),)

    # --- inference -----------------------------------------------------------------------

    def generation_inputs(self, z, labels=None):
        count = int(z.shape[0])
        if labels is None:
            labels = np.arange(count) % self.num_classes
        labels = self.check_labels(np.resize(np.asarray(labels).reshape(-1), count))
        return [z, labels]

    def serving_endpoints(self):
        """`serving_default`: (z, labels) -> images; `generate`: (num_images, seed, labels cycled) -> uint8."""
        z_spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
        count_spec = tf.TensorSpec([], tf.int32, name="num_images")
        seed_spec = tf.TensorSpec([], tf.int64, name="seed")

        def serving_default(z, labels):
            return {"images": tf.cast(self.sampling_generator()([z, labels], training=False), tf.float32)}

        def generate(num_images, seed, labels):
            z = tf.random.stateless_normal([num_images, self.latent_dim], seed=tf.stack([seed, tf.zeros_like(seed)]))
            cycled = tf.gather(labels, tf.range(num_images) % tf.size(labels))
            return {"images_uint8": images.to_uint8(self.sampling_generator()([z, cycled], training=False))}

        return {
            "serving_default": (serving_default, [z_spec, labels_spec]),
            "generate": (generate, [count_spec, seed_spec, labels_spec]),
        }

    def serving_examples(self, count, seed=0):
        return {"z": np.asarray(self.sample_latent(count, seed=seed)), "labels": np.arange(count, dtype="int32") % self.num_classes}

    def get_config(self):
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config
