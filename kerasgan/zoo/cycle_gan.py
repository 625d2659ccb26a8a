"""CycleGAN: unpaired image-to-image translation with cycle consistency (Zhu et al. 2017, arXiv:1703.10593)."""
import numpy as np
import keras
import tensorflow as tf
from keras import ops

from kerasgan import gan, layers, translation
from kerasgan.networks import patchgan, resnet


@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(gan.GAN):
    """Generators G: A -> B (`generator_ab`), F: B -> A (`generator_ba`) and PatchGAN
    discriminators D_A, D_B (`discriminator_a`, `discriminator_b`), trained on unpaired
    (images_a, images_b) batches.

    Losses (the paper's equations 1-3 and section 5.2): least-squares adversarial terms,
    cycle_weight * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1), and identity_weight * cycle_weight *
    (|G(b) - b|_1 + |F(a) - a|_1). Each discriminator sees fakes drawn from a pool of its last
    `pool_size` fakes (Shrivastava et al. 2017). One step updates both generators, then both
    discriminators, as the authors' code does. The base class's `generator` and
    `discriminator` are `generator_ab` and `discriminator_b`: `call`, `predict` and the
    default export translate A -> B.
    """

    extra_metric_names = ("cycle_loss", "identity_loss")

    sampling_alternative = "translates images rather than sampling them: use translate_a_to_b or translate_b_to_a"
    image_parts = {0: "images_a", 1: "images_b"}

    def __init__(
        self,
        image_shape=None,
        cycle_weight=10.0,
        identity_weight=0.5,
        pool_size=50,
        filters=64,
        residual_blocks=None,
        generator_downsamplings=resnet.DOWNSAMPLINGS,
        discriminator_layers=None,
        generator_ab=None,
        generator_ba=None,
        discriminator_a=None,
        discriminator_b=None,
        seed=None,
        **kwargs,
    ):
        image_shape = _image_shape(image_shape, generator_ab or generator_ba)
        for argument, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if not value >= 0:
                raise ValueError(f"{argument} must be >= 0, got {value!r}")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"pool_size must be an integer >= 0 (0 turns the image pool off), got {pool_size!r}")
        resnet_options = {
            "filters": filters, "residual_blocks": residual_blocks, "downsamplings": generator_downsamplings,
        }
        patchgan_options = {"filters": filters, "layers": discriminator_layers, "normalization": "instance"}
        generator_ab = generator_ab or resnet.build_resnet_generator(image_shape, name="generator_ab", **resnet_options)
        generator_ba = generator_ba or resnet.build_resnet_generator(image_shape, name="generator_ba", **resnet_options)
        discriminator_a = discriminator_a or patchgan.build_patchgan(image_shape, name="discriminator_a", **patchgan_options)
        discriminator_b = discriminator_b or patchgan.build_patchgan(image_shape, name="discriminator_b", **patchgan_options)
        for role, network in (("generator_ba", generator_ba), ("discriminator_a", discriminator_a)):
            _check_translator(role, network, image_shape)
        self.identity_weight = float(identity_weight)  # read by _metric_names inside the base constructor
        super().__init__(generator_ab, discriminator_b, loss="least_squares", seed=seed, **kwargs)
        self.generator_ba = generator_ba
        self.discriminator_a = discriminator_a
        self.image_shape = tuple(image_shape)
        self.cycle_weight = float(cycle_weight)
        self.pool_size = pool_size
        self.filters = filters
        self.residual_blocks = residual_blocks
        self.generator_downsamplings = generator_downsamplings
        self.discriminator_layers = discriminator_layers
        self.latent_dim = None  # no z: CycleGAN maps images to images
        self.pool_a = layers.ImagePool(pool_size, name="pool_a")
        self.pool_b = layers.ImagePool(pool_size, name="pool_b")
        for pool in (self.pool_a, self.pool_b):
            pool.build((None,) + self.image_shape)

    @property
    def generator_ab(self):
        return self.generator

    @property
    def discriminator_b(self):
        return self.discriminator

    def _metric_names(self):
        """identity_loss only when it is trained: with identity_weight 0 it is not computed."""
        names = super()._metric_names()
        return names if self.identity_weight else [name for name in names if name != "identity_loss"]

    def _check_networks(self, generator, discriminator):
        _check_translator("generator_ab", generator, tuple(generator.inputs[0].shape[1:]))
        _check_translator("discriminator_b", discriminator, tuple(generator.outputs[0].shape[1:]))

    def generator_networks(self):
        return [self.generator_ab, self.generator_ba]

    def discriminator_networks(self):
        return [self.discriminator_a, self.discriminator_b]

    def default_generator_optimizer(self):
        """The paper's Adam(2e-4, beta_1=0.5); kerasgan.callbacks.LinearDecay gives its schedule."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    # --- training ------------------------------------------------------------------------

    def _check_training_data(self, x):
        spec = x.element_spec if isinstance(x, tf.data.Dataset) else None
        if spec is None:
            raise ValueError("CycleGAN trains on a tf.data.Dataset of unpaired (images_a, images_b) batches")
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
            raise ValueError(
                "CycleGAN trains on (images_a, images_b) batches but the dataset yields one image batch: "
                "load two domains, e.g. kerasgan.data.load('digits2digits_m') or a folder with trainA/ and trainB/"
            )
        for side, element in zip("ab", spec):
            shape = tuple(element.shape[1:])
            if len(shape) != 3 or any(a not in (None, b) for a, b in zip(shape, self.image_shape)):
                raise ValueError(
                    f"images_{side} come in batches of shape {shape} but this CycleGAN takes {self.image_shape}: "
                    "resize both domains to one shape (image_size=..., channels=...)"
                )

    def train_step(self, data):
        real_a, real_b = data
        logs, fake_a, fake_b = self._generator_step(real_a, real_b)
        pooled_a = self.pool_a(fake_a, seed=self.seed_generator)
        pooled_b = self.pool_b(fake_b, seed=self.seed_generator)
        logs.update(self._discriminator_step(real_a, real_b, pooled_a, pooled_b))
        return self._track(**logs)

    def _generator_losses(self, real_a, real_b, training=True):
        """(losses, fake_a, fake_b) of both generators on one batch: adversarial, cycle and identity terms."""
        fake_b = self.generator_ab(real_a, training=training)
        fake_a = self.generator_ba(real_b, training=training)
        # Zhu et al. write E[(D(G(a)) - 1)^2], twice LSGAN's 1/2 E[...] that losses.py keeps.
        adversarial = 2.0 * (
            ops.mean(self.generator_loss(self.discriminator_b(fake_b, training=training)))
            + ops.mean(self.generator_loss(self.discriminator_a(fake_a, training=training)))
        )
        cycle = ops.mean(ops.abs(self.generator_ba(fake_b, training=training) - real_a)) + ops.mean(
            ops.abs(self.generator_ab(fake_a, training=training) - real_b)
        )
        logs = {"cycle_loss": cycle}
        g_loss = adversarial + self.cycle_weight * cycle
        if self.identity_weight:
            logs["identity_loss"] = ops.mean(ops.abs(self.generator_ab(real_b, training=training) - real_b)) + ops.mean(
                ops.abs(self.generator_ba(real_a, training=training) - real_a)
            )
            g_loss = g_loss + self.cycle_weight * self.identity_weight * logs["identity_loss"]
        return {"g_loss": g_loss, **logs}, fake_a, fake_b

    def _generator_step(self, real_a, real_b):
        with tf.GradientTape() as tape:
            logs, fake_a, fake_b = self._generator_losses(real_a, real_b)
            scaled = self._scaled(logs["g_loss"], self.generator_optimizer)
        self._apply(tape, scaled, self.generator_networks(), self.generator_optimizer)
        return logs, ops.stop_gradient(fake_a), ops.stop_gradient(fake_b)

    def _discriminator_losses(self, real_a, real_b, fake_a, fake_b, training=True):
        """D_A's plus D_B's least-squares loss, each 1/2 (real term + fake term) as in the paper."""
        loss_a = self.discriminator_loss(self.discriminator_a(real_a, training=training), self.discriminator_a(fake_a, training=training))
        loss_b = self.discriminator_loss(self.discriminator_b(real_b, training=training), self.discriminator_b(fake_b, training=training))
        return ops.mean(loss_a) + ops.mean(loss_b)

    def _discriminator_step(self, real_a, real_b, fake_a, fake_b):
        with tf.GradientTape() as tape:
            d_loss = self._discriminator_losses(real_a, real_b, fake_a, fake_b)
            scaled = self._scaled(d_loss, self.discriminator_optimizer)
        self._apply(tape, scaled, self.discriminator_networks(), self.discriminator_optimizer)
        return {"d_loss": d_loss}

    def test_step(self, data):
        real_a, real_b = data
        logs, fake_a, fake_b = self._generator_losses(real_a, real_b, training=False)
        logs["d_loss"] = self._discriminator_losses(real_a, real_b, fake_a, fake_b, training=False)
        return self._track(**logs)

    # --- inference -----------------------------------------------------------------------

    def translate_a_to_b(self, images_a, batch_size=32):
        """G(images_a): domain-A images in [-1, 1] rendered in domain B, as a numpy array."""
        images = translation.check_images(images_a, self.image_shape, "images_a")
        return self.generator_ab.predict(images, batch_size=batch_size, verbose=0)

    def translate_b_to_a(self, images_b, batch_size=32):
        """F(images_b): domain-B images in [-1, 1] rendered in domain A, as a numpy array."""
        images = translation.check_images(images_b, self.image_shape, "images_b")
        return self.generator_ba.predict(images, batch_size=batch_size, verbose=0)

    def translation_rows(self, examples):
        """Rows a | G(a) | F(G(a)), then b | F(b) | G(F(b)), of a batch of (images_a, images_b)."""
        images_a, images_b = (np.asarray(part) for part in examples)
        fake_b, fake_a = self.translate_a_to_b(images_a), self.translate_b_to_a(images_b)
        return [
            np.concatenate([images_a, images_b]),
            np.concatenate([fake_b, fake_a]),
            np.concatenate([self.translate_b_to_a(fake_b), self.translate_a_to_b(fake_a)]),
        ]

    def serving_endpoints(self):
        """`serving_default` (A -> B) and `b_to_a` on images in [-1, 1]; `translate_a_to_b` and
        `translate_b_to_a` on uint8 images."""
        return {
            **translation.endpoints(self.generator_ab, self.image_shape, "serving_default", "translate_a_to_b"),
            **translation.endpoints(self.generator_ba, self.image_shape, "b_to_a", "translate_b_to_a"),
        }

    def serving_networks(self):
        return [self.generator_ab, self.generator_ba]

    def serving_examples(self, count, seed=0):
        return {"images": translation.uniform_images(count, self.image_shape, seed)}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "image_shape": self.image_shape,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "filters": self.filters,
            "residual_blocks": self.residual_blocks,
            "generator_downsamplings": self.generator_downsamplings,
            "discriminator_layers": self.discriminator_layers,
            "generator_ab": keras.saving.serialize_keras_object(self.generator_ab),
            "generator_ba": keras.saving.serialize_keras_object(self.generator_ba),
            "discriminator_a": keras.saving.serialize_keras_object(self.discriminator_a),
            "discriminator_b": keras.saving.serialize_keras_object(self.discriminator_b),
            "seed": self.seed,
        }


def _image_shape(image_shape, generator):
    """`image_shape` as given, else read off a given generator."""
    if image_shape is None and generator is not None:
        gan.check_network("generator", generator)
        image_shape = tuple(generator.inputs[0].shape[1:])
    if image_shape is None:
        raise ValueError("CycleGAN needs image_shape, e.g. CycleGAN(image_shape=(32, 32, 3)), or its generators")
    return tuple(int(d) for d in image_shape)


def _check_translator(role, network, image_shape):
    """Raises ValueError unless `network` takes one batch of `image_shape` images (a generator also returns one)."""
    gan.check_network(role, network)
    takes = [tuple(i.shape[1:]) for i in network.inputs]
    if takes != [tuple(image_shape)]:
        raise ValueError(f"CycleGAN's {role} must take one image batch of shape {tuple(image_shape)}, got {takes}")
    if role.startswith("generator") and tuple(network.outputs[0].shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"CycleGAN's {role} must return images of shape {tuple(image_shape)} (both domains share one shape), "
            f"got {tuple(network.outputs[0].shape[1:])}"
        )
