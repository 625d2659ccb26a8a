"""CycleGAN: unpaired image-to-image translation with cycle consistency (Zhu et al. 2017, arXiv:1703.10593)."""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import batches, images, layers, losses, registry, translation
from kerasgan.networks import checks, patchgan, resnet
from kerasgan.registry import Flag


@registry.register("cyclegan")
class CycleGAN(translation.Translator):
    """Generators G: A -> B (`generator_ab`), F: B -> A (`generator_ba`) and PatchGAN
    discriminators D_A, D_B (`discriminator_a`, `discriminator_b`), trained on unpaired
    (images_a, images_b) batches.

    Losses (the paper's equations 1-3 and section 5.2): least-squares adversarial terms,
    cycle_weight * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1), and identity_weight * cycle_weight *
    (|G(b) - b|_1 + |F(a) - a|_1). Each discriminator sees fakes drawn from a pool of its last
    `pool_size` fakes (Shrivastava et al. 2017). One step updates both generators, then both
    discriminators, as the authors' code does. `call`, `predict` and the default export
    translate A -> B. The learning rate decays linearly to 0 over the second half of the epochs
    under `kerasgan train` (kerasgan.callbacks.LinearDecay), as in the paper.

    Args:
        image_shape: (height, width, channels) of both domains; or read off a given generator.
        cycle_weight: lambda of the cycle-consistency loss (10).
        identity_weight: the identity loss's weight relative to cycle_weight (0.5; 0: none).
        pool_size: past fakes kept per discriminator (50; 0: none).
        filters: filters of the first convolution of every network.
        residual_blocks: residual blocks per generator (default 6, 9 from 256x256).
        generator_downsamplings: stride-2 blocks of each generator (2, the paper's).
        discriminator_layers: stride-2 blocks of the PatchGANs (default: the 70x70 PatchGAN's, fewer for small images).
        generator_ab, generator_ba, discriminator_a, discriminator_b: networks of one's own.
        **kwargs: seed and the keras.Model arguments.
    """

    sampling_alternative = "translates images rather than sampling them: use translate_a_to_b or translate_b_to_a"
    decays = True
    cli_flags = (
        Flag("filters", int, "Filters of the networks' first convolution; default 64."),
        Flag("cycle_weight", float, "CycleGAN: weight of the cycle-consistency loss; default 10."),
        Flag("identity_weight", float, "CycleGAN: weight of the identity loss, relative to cycle_weight; default 0.5."),
        Flag("pool_size", int, "CycleGAN: past fakes kept per discriminator (0: none); default 50."),
        Flag("residual_blocks", int, "CycleGAN: residual blocks per generator; default 6, 9 from 256x256."),
        Flag("generator_downsamplings", int, "CycleGAN: stride-2 blocks of each generator (the paper's 2)."),
        translation.DECAY_EPOCHS,
    )

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
        for role, network in (("generator_ab", generator_ab), ("generator_ba", generator_ba),
                              ("discriminator_a", discriminator_a), ("discriminator_b", discriminator_b)):
            _check_translator(role, network, image_shape)
        super().__init__(seed=seed, **kwargs)
        self.generator_ab, self.generator_ba = generator_ab, generator_ba
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        self.sample_shape = tuple(image_shape)
        self.identity_weight = float(identity_weight)
        self.generator_loss, self.discriminator_loss = losses.get("least_squares")
        self.image_shape = tuple(image_shape)
        self.cycle_weight = float(cycle_weight)
        self.pool_size = pool_size
        self.filters = filters
        self.residual_blocks = residual_blocks
        self.generator_downsamplings = generator_downsamplings
        self.discriminator_layers = discriminator_layers
        self.pool_a = layers.ImagePool(pool_size, name="pool_a")
        self.pool_b = layers.ImagePool(pool_size, name="pool_b")
        for pool in (self.pool_a, self.pool_b):
            pool.build((None,) + self.image_shape)
        # identity_loss only when it is trained: with identity_weight 0 it is not computed.
        trained = ["g_loss", "cycle_loss"] + (["identity_loss"] if self.identity_weight else [])
        self.track_metrics(generator=trained, discriminator=["d_loss"])

    @property
    def generator(self):
        """generator_ab, the A -> B translator that `call` and the default export run."""
        return self.generator_ab

    @property
    def discriminator(self):
        """discriminator_b, the judge of generator_ab's output."""
        return self.discriminator_b

    @classmethod
    def data_arguments(cls, element_spec, flags):
        shapes = [tuple(spec.shape[1:]) for spec in (element_spec if isinstance(element_spec, tuple) else (element_spec,))]
        if len(shapes) != 2 or any(len(shape) != 3 for shape in shapes):
            raise ValueError(f"cyclegan trains on pairs of image batches; {flags.dataset} yields shapes {shapes}")
        return {"image_shape": shapes[0]}

    def batch(self):
        parts = (batches.Part("images_a", self.image_shape), batches.Part("images_b", self.image_shape))
        how = "load two domains, e.g. kerasgan.data.load('digits2digits_m') or a folder with trainA/ and trainB/"
        return batches.Batch("CycleGAN", parts, how, arrays=False)

    def generator_networks(self):
        return [self.generator_ab, self.generator_ba]

    def discriminator_networks(self):
        return [self.discriminator_a, self.discriminator_b]

    # --- training ------------------------------------------------------------------------

    def train_step(self, data):
        real_a, real_b = data
        logs, fake_a, fake_b = self._generator_step(real_a, real_b)
        pooled_a = self.pool_a(fake_a, seed=self.seed_generator)
        pooled_b = self.pool_b(fake_b, seed=self.seed_generator)
        logs.update(self._discriminator_step(real_a, real_b, pooled_a, pooled_b))
        return self.track(**logs)

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
            scaled = self.scaled_loss(logs["g_loss"], self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator_networks(), self.generator_optimizer)
        return logs, ops.stop_gradient(fake_a), ops.stop_gradient(fake_b)

    def _discriminator_losses(self, real_a, real_b, fake_a, fake_b, training=True):
        """D_A's plus D_B's least-squares loss, each 1/2 (real term + fake term) as in the paper."""
        loss_a = self.discriminator_loss(self.discriminator_a(real_a, training=training), self.discriminator_a(fake_a, training=training))
        loss_b = self.discriminator_loss(self.discriminator_b(real_b, training=training), self.discriminator_b(fake_b, training=training))
        return ops.mean(loss_a) + ops.mean(loss_b)

    def _discriminator_step(self, real_a, real_b, fake_a, fake_b):
        with tf.GradientTape() as tape:
            d_loss = self._discriminator_losses(real_a, real_b, fake_a, fake_b)
            scaled = self.scaled_loss(d_loss, self.discriminator_optimizer)
        self.apply_update(tape, scaled, self.discriminator_networks(), self.discriminator_optimizer)
        return {"d_loss": d_loss}

    def test_step(self, data):
        real_a, real_b = data
        logs, fake_a, fake_b = self._generator_losses(real_a, real_b, training=False)
        logs["d_loss"] = self._discriminator_losses(real_a, real_b, fake_a, fake_b, training=False)
        return self.track(**logs)

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """Label preservation both ways on digits2digits_m and mnist2mnist_m (there also FID both ways), and the cycle
        L1 (kerasgan.evaluation)."""
        from kerasgan import evaluation

        return evaluation.unpaired_translation_scores(self, dataset, split, num_images)

    # --- inference -----------------------------------------------------------------------

    def call(self, images_a, training=False):
        """A -> B: `model(images_a)`, `predict` and the default export translate with generator_ab."""
        return self.generator_ab(images_a, training=training)

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
        return {"images": images.uniform_images(count, self.image_shape, seed)}

    def get_config(self):
        config = super().get_config()
        return {
            **config,
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
        }


def _image_shape(image_shape, generator):
    """`image_shape` as given, else read off a given generator."""
    if image_shape is None and generator is not None:
        checks.check_network("generator", generator)
        image_shape = tuple(generator.inputs[0].shape[1:])
    if image_shape is None:
        raise ValueError("CycleGAN needs image_shape, e.g. CycleGAN(image_shape=(32, 32, 3)), or its generators")
    return tuple(int(d) for d in image_shape)


def _check_translator(role, network, image_shape):
    """Raises ValueError unless `network` takes one batch of `image_shape` images (a generator also returns one)."""
    checks.check_network(role, network)
    takes = [tuple(i.shape[1:]) for i in network.inputs]
    if takes != [tuple(image_shape)]:
        raise ValueError(f"CycleGAN's {role} must take one image batch of shape {tuple(image_shape)}, got {takes}")
    if role.startswith("generator") and tuple(network.outputs[0].shape[1:]) != tuple(image_shape):
        raise ValueError(
            f"CycleGAN's {role} must return images of shape {tuple(image_shape)} (both domains share one shape), "
            f"got {tuple(network.outputs[0].shape[1:])}"
        )
