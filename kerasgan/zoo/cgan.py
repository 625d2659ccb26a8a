"""CGAN: conditional GAN, both networks conditioned on the class label (Mirza & Osindero 2014, arXiv:1411.1784)."""
import numpy as np
import keras
import tensorflow as tf

from kerasgan import gan
from kerasgan.networks import dcgan as networks


@keras.saving.register_keras_serializable(package="kerasgan")
class CGAN(gan.GAN):
    """G(z | y) and D(x | y) for labels y in [0, num_classes), trained on (images, labels) batches.

    The label is embedded and joined to z, and embedded into an extra image channel for D.
    The generator step uses the batch's labels. `generate(n, labels=...)`: an int, a
    sequence (cycled to n) or None for 0, 1, ..., num_classes - 1 in turn.
    """

    def __init__(
        self,
        image_shape=None,
        num_classes=None,
        latent_dim=None,
        loss="non_saturating",
        label_smoothing=0.0,
        discriminator_steps=1,
        penalty=None,
        penalty_weight=None,
        instance_noise=0.0,
        filters=64,
        generator=None,
        discriminator=None,
        seed=None,
        **kwargs,
    ):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
        image_shape, latent_dim = gan.image_settings("CGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters, num_classes=num_classes)
        if discriminator is None:
            discriminator = networks.build_discriminator(image_shape, filters, num_classes=num_classes)
        super().__init__(
            generator,
            discriminator,
            loss=loss,
            label_smoothing=label_smoothing,
            discriminator_steps=discriminator_steps,
            penalty=penalty,
            penalty_weight=penalty_weight,
            instance_noise=instance_noise,
            seed=seed,
            **kwargs,
        )
        self.num_classes = num_classes
        self.image_shape = image_shape
        self.filters = filters

    def _check_networks(self, generator, discriminator):
        for role, network, first in (("generator", generator, "z"), ("discriminator", discriminator, "images")):
            gan.check_network(role, network)
            if len(network.inputs) != 2 or len(network.inputs[1].shape) != 1:
                raise ValueError(f"a CGAN {role} takes two inputs, [{first}, labels] with labels of shape (batch,)")
        gan.check_fit(generator, discriminator)

    # --- training ------------------------------------------------------------------------

    def _check_training_data(self, x):
        spec = x.element_spec if isinstance(x, tf.data.Dataset) else None
        if spec is not None and not (isinstance(spec, (tuple, list)) and len(spec) >= 2):
            raise ValueError(
                "CGAN trains on (images, labels) batches but the dataset yields images only: "
                "load it with kerasgan.data.load(..., with_labels=True)"
            )
        if spec is not None and not tf.as_dtype(spec[1].dtype).is_integer:
            raise ValueError(f"CGAN's labels must be integers in [0, {self.num_classes}), got {spec[1].dtype.name}")
        super()._check_training_data(x)

    def fit(self, x=None, y=None, **kwargs):
        """keras.Model.fit on (images, labels): a dataset of pairs, or arrays x=images, y=labels."""
        if not isinstance(x, tf.data.Dataset):
            if y is None:
                raise ValueError("CGAN trains on (images, labels): pass fit(images, labels) or a dataset of pairs")
            self.check_labels(y)
        return super().fit(x, y, **kwargs)

    def check_labels(self, labels, role="labels"):
        """Raises ValueError unless every label is an integer in [0, num_classes)."""
        return gan.check_labels(labels, self.num_classes, role)

    def _check_first_batch(self, batch, images):
        super()._check_first_batch(batch, images)
        self.check_labels(batch[1], "the dataset's labels")

    def _split_batch(self, data):
        return data[0], (gan.labels_in_range(data[1], self.num_classes, "CGAN"),)

    # --- inference -----------------------------------------------------------------------

    def _generation_inputs(self, z, labels=None):
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
            return {"images": tf.cast(self.generator([z, labels], training=False), tf.float32)}

        def generate(num_images, seed, labels):
            z = tf.random.stateless_normal([num_images, self.latent_dim], seed=tf.stack([seed, tf.zeros_like(seed)]))
            cycled = tf.gather(labels, tf.range(num_images) % tf.size(labels))
            return {"images_uint8": gan.to_uint8(self.generator([z, cycled], training=False))}

        return {
            "serving_default": (serving_default, [z_spec, labels_spec]),
            "generate": (generate, [count_spec, seed_spec, labels_spec]),
        }

    def serving_examples(self, count, seed=0):
        return {"z": np.asarray(self.sample_latent(count, seed=seed)), "labels": np.arange(count, dtype="int32") % self.num_classes}

    def get_config(self):
        config = super().get_config()
        config.pop("clip_value")
        config.update(
            {
                "image_shape": self.image_shape,
                "num_classes": self.num_classes,
                "latent_dim": self.latent_dim,
                "filters": self.filters,
            }
        )
        return config
