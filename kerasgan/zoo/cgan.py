"""CGAN: conditional GAN, both networks conditioned on the class label (Mirza & Osindero 2014, arXiv:1411.1784)."""
import numpy as np
import tensorflow as tf

from kerasgan import batches, gan, images, registry
from kerasgan.networks import checks
from kerasgan.networks import dcgan as networks
from kerasgan.registry import Flag


@registry.register("cgan")
class CGAN(gan.GAN):
    """G(z | y) and D(x | y) for labels y in [0, num_classes), trained on (images, labels) batches.

    The label is embedded and joined to z, and embedded into an extra image channel for D.
    The generator step uses the batch's labels. `generate(n, labels=...)`: an int, a
    sequence (cycled to n) or None for 0, 1, ..., num_classes - 1 in turn.

    Args:
        image_shape: (height, width, channels) of the images; or read off a given generator.
        num_classes: the number of labels (>= 2).
        latent_dim: length of z (default 100).
        filters: filters of the discriminator's first convolution.
        dense_units: > 0 adds a hidden dense layer of this width to both networks, InfoGAN's FC 1024
            (Chen et al. 2016), the networks of Lucic et al. 2018; 0: DCGAN's.
        generator, discriminator: networks of one's own, each taking [x, labels].
        **kwargs: the options of `kerasgan.gan.GAN`.
    """

    conditional = True
    cli_flags = tuple(flag for flag in gan.FLAGS if flag.name != "pack") + (  # one label per sample: no packs
        gan.LATENT_DIM, gan.FILTERS, gan.DENSE_UNITS, Flag("num_classes", int, "CGAN: number of labels; default: counted from the dataset.")
    )
    dataset_options = {"with_labels": True}

    def __init__(
        self, image_shape=None, num_classes=None, latent_dim=None, filters=64, dense_units=0, generator=None,
        discriminator=None, **kwargs,
    ):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
        image_shape, latent_dim = checks.image_settings("CGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters, num_classes=num_classes, dense_units=dense_units)
        if discriminator is None:
            discriminator = networks.build_discriminator(image_shape, filters, num_classes=num_classes, dense_units=dense_units)
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = num_classes
        self.image_shape = image_shape
        self.filters = filters
        self.dense_units = dense_units

    @classmethod
    def data_arguments(cls, element_spec, flags):
        from kerasgan import data

        return {
            "image_shape": gan.image_shape_of(cls.__name__, element_spec, flags),
            "num_classes": flags.num_classes or data.num_classes(flags.dataset),
        }

    def check_networks(self, generator, discriminator):
        for role, network, first in (("generator", generator, "z"), ("discriminator", discriminator, "images")):
            checks.check_network(role, network)
            if len(network.inputs) != 2 or len(network.inputs[1].shape) != 1:
                raise ValueError(f"a CGAN {role} takes two inputs, [{first}, labels] with labels of shape (batch,)")
        checks.check_fit(generator, discriminator)

    def batch(self):
        parts = (batches.Part("images", self.sample_shape), batches.Part("labels", (), batches.LABELS, self.num_classes))
        return batches.Batch("CGAN", parts, "load it with kerasgan.data.load(..., with_labels=True)")

    def check_labels(self, labels, role="labels"):
        """Raises ValueError unless every label is an integer in [0, num_classes)."""
        return images.check_labels(labels, self.num_classes, role)

    def split_batch(self, data):
        return data[0], (images.labels_in_range(data[1], self.num_classes, "CGAN"),)

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
        config.update(
            {"image_shape": self.image_shape, "num_classes": self.num_classes, "latent_dim": self.latent_dim, "filters": self.filters,
             "dense_units": self.dense_units}
        )
        return config
