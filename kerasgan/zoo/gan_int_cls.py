"""GAN-INT-CLS: text-to-image synthesis with a matching-aware discriminator and interpolated text embeddings
(Reed et al. 2016, "Generative Adversarial Text to Image Synthesis", arXiv:1605.05396)."""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import batches, images, losses, registry, sampling, text
from kerasgan.adversarial import AdversarialModel
from kerasgan.networks import gan_int_cls as networks
from kerasgan.registry import Flag


@registry.register("gan_int_cls")
class GANIntCls(sampling.LatentSampler, AdversarialModel):
    """G(z, phi(t)) draws an image for a caption t; D(x, phi(t)) judges whether x is real and matches t.

    Trained on (images, caption ids, wrong caption ids) batches (kerasgan.data.load("mnist_captions")):
    - GAN-CLS, the matching-aware discriminator: D minimizes -log D(x, h) - (log(1 - D(x, h_wrong)) +
      log(1 - D(G(z, h), h))) / 2, so a real image with a caption of another class is a negative too (the
      paper's Algorithm 1). The text encoder phi learns with D, through that loss.
    - GAN-INT: G minimizes -log D(G(z, h), h) - log D(G(z', h_int), h_int), where h_int = beta * h + (1 - beta) *
      h_wrong interpolates between two captions' embeddings (beta = 0.5, the paper's) and has no real image: G
      learns to fill the space between captions.

    `generate(n, captions=[...])` draws n images for the captions, cycled; the exports take caption ids
    (`kerasgan.text.tokenize`).

    Args:
        image_shape: (height, width, channels).
        latent_dim: length of z (100).
        embedding_dim: length of the text embedding phi(t) (128).
        compressed: units the embedding is compressed to in both networks (128, the paper's).
        filters: filters of D's first convolution (64); G mirrors DCGAN's.
        interpolation: beta of GAN-INT (0.5); None trains GAN-CLS alone.
        captions: what `generate` draws when given none (the training pictures, `kerasgan sample`): by default
            one caption per class of the training set when the command line builds the model, else none.
        **kwargs: seed and the keras.Model arguments.
    """

    cli_flags = (
        Flag("latent_dim", int, "Length of z; default: the model's (100 for images, 2 for points)."),
        Flag("filters", int, "Filters of the networks' first convolution; default 64."),
        Flag("embedding_dim", int, "GAN-INT-CLS: length of the text embedding; default 128."),
    )

    def __init__(
        self, image_shape=None, latent_dim=100, embedding_dim=128, compressed=128, filters=64, interpolation=0.5,
        captions=None, seed=None, **kwargs,
    ):
        if image_shape is None:
            raise ValueError("GANIntCls needs image_shape, e.g. GANIntCls(image_shape=(28, 28, 1))")
        if interpolation is not None and not 0 <= interpolation <= 1:
            raise ValueError(f"interpolation is GAN-INT's beta in [0, 1] (or None: GAN-CLS alone), got {interpolation!r}")
        image_shape = tuple(int(d) for d in image_shape)
        if captions is not None:
            text.tokenize(captions)  # a clear error now rather than at the first picture
        text_encoder = networks.build_text_encoder(embedding_dim)
        generator = networks.build_generator(image_shape, latent_dim, embedding_dim, compressed, filters)
        discriminator = networks.build_discriminator(image_shape, embedding_dim, compressed, filters)
        super().__init__(seed=seed, **kwargs)
        self.text_encoder, self.generator, self.discriminator = text_encoder, generator, discriminator
        ids = keras.Input((text.MAX_WORDS,), dtype="int32", name="captions")
        z = keras.Input((latent_dim,), name="z")
        self.captioned_generator = keras.Model([z, ids], generator([z, text_encoder(ids)]), name="captioned_generator")
        self.image_shape = self.sample_shape = image_shape
        self.latent_dim, self.embedding_dim, self.compressed = latent_dim, embedding_dim, compressed
        self.filters, self.interpolation = filters, interpolation
        self.captions = None if captions is None else list(captions)
        self.generator_loss, _ = losses.get("non_saturating")
        self.track_metrics(generator=["g_loss"], discriminator=["d_loss"])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        if not isinstance(element_spec, tuple) or len(element_spec) != 3:
            raise ValueError(f"gan_int_cls trains on (images, caption ids, wrong caption ids): load mnist_captions or "
                             f"fashion_mnist_captions, not {flags.dataset}")
        from kerasgan.data import captions

        default = captions.class_captions(flags.dataset) if flags.dataset in captions.SOURCES else None
        return {"image_shape": tuple(element_spec[0].shape[1:]), "captions": default}

    def generator_networks(self):
        return [self.generator]

    def discriminator_networks(self):
        return [self.discriminator, self.text_encoder]

    def batch(self):
        ids = {"shape": (text.MAX_WORDS,), "kind": batches.LABELS, "num_classes": text.VOCABULARY_SIZE}
        parts = (batches.Part("images", self.image_shape), batches.Part("caption ids", **ids),
                 batches.Part("wrong caption ids", **ids))
        return batches.Batch("GANIntCls", parts, "load kerasgan.data.load('mnist_captions') or 'fashion_mnist_captions'")

    # --- training ------------------------------------------------------------------------

    def train_step(self, data):
        real, captions, wrong = data
        count = ops.shape(real)[0]
        with tf.GradientTape() as tape:
            matching, mismatching = self.text_encoder(captions, training=True), self.text_encoder(wrong, training=True)
            fake = self.generator([self.training_latent(count), ops.stop_gradient(matching)], training=True)
            d_loss = self.discriminator_loss_of(real, ops.stop_gradient(fake), matching, mismatching)
            scaled = self.scaled_loss(d_loss, self.discriminator_optimizer)
        self.apply_update(tape, scaled, self.discriminator_networks(), self.discriminator_optimizer)
        matching, mismatching = ops.stop_gradient(matching), ops.stop_gradient(mismatching)  # the step's embeddings
        g_loss = self.minimize(lambda: self.generator_loss_of(count, matching, mismatching), self.generator, self.generator_optimizer)
        return self.track(d_loss=d_loss, g_loss=g_loss)

    def training_latent(self, count):
        return self.replica_draw(count, (self.latent_dim,))

    def discriminator_loss_of(self, real, fake, matching, mismatching, training=True):
        """GAN-CLS: real with its caption against (real with a wrong caption and fake with the right one) / 2."""
        real_right = self.discriminator([real, matching], training=training)
        real_wrong = self.discriminator([real, mismatching], training=training)
        fake_right = self.discriminator([fake, matching], training=training)
        return ops.mean(_real_term(real_right) + 0.5 * (_fake_term(real_wrong) + _fake_term(fake_right)))

    def generator_loss_of(self, count, matching, mismatching, training=True):
        """-log D(G(z, h), h), plus GAN-INT's -log D(G(z', h_int), h_int)."""
        fake = self.generator([self.training_latent(count), matching], training=training)
        loss = ops.mean(self.generator_loss(self.discriminator([fake, matching], training=training)))
        if self.interpolation is None:
            return loss
        between = self.interpolation * matching + (1.0 - self.interpolation) * mismatching
        interpolated = self.generator([self.training_latent(count), between], training=training)
        return loss + ops.mean(self.generator_loss(self.discriminator([interpolated, between], training=training)))

    def test_step(self, data):
        real, captions, wrong = data
        matching, mismatching = self.text_encoder(captions), self.text_encoder(wrong)
        fake = self.generator([self.training_latent(ops.shape(real)[0]), matching])
        return self.track(d_loss=self.discriminator_loss_of(real, fake, matching, mismatching, training=False),
                          g_loss=self.generator_loss_of(ops.shape(real)[0], matching, mismatching, training=False))

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """FID of images drawn for the held-out captions, and on MNIST their class accuracy
        (kerasgan.evaluation.text_to_image_scores)."""
        from kerasgan import evaluation

        return evaluation.text_to_image_scores(self, dataset, split, num_images, seed)

    # --- inference -----------------------------------------------------------------------

    def sampling_generator(self):
        return self.captioned_generator

    def generation_inputs(self, z, captions=None):
        captions = self.captions if captions is None else captions
        if captions is None:
            raise ValueError("GANIntCls draws images for captions: generate(n, captions=['a thick seven', ...])")
        ids = text.tokenize(captions)
        return [z, np.resize(ids, (int(z.shape[0]), text.MAX_WORDS))]

    def call(self, inputs, training=False):
        return self.captioned_generator(inputs, training=training)

    def serving_endpoints(self):
        """`serving_default`: (z, caption ids) -> images; `generate`: (num_images, seed, caption ids cycled) -> uint8."""
        z_spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        captions_spec = tf.TensorSpec([None, text.MAX_WORDS], tf.int32, name="captions")
        count_spec = tf.TensorSpec([], tf.int32, name="num_images")
        seed_spec = tf.TensorSpec([], tf.int64, name="seed")

        def serving_default(z, captions):
            return {"images": tf.cast(self.captioned_generator([z, captions], training=False), tf.float32)}

        def generate(num_images, seed, captions):
            z = tf.random.stateless_normal([num_images, self.latent_dim], seed=tf.stack([seed, tf.zeros_like(seed)]))
            cycled = tf.gather(captions, tf.range(num_images) % tf.shape(captions)[0])
            return {"images_uint8": images.to_uint8(self.captioned_generator([z, cycled], training=False))}

        return {
            "serving_default": (serving_default, [z_spec, captions_spec]),
            "generate": (generate, [count_spec, seed_spec, captions_spec]),
        }

    def serving_examples(self, count, seed=0):
        captions = ["a thick seven", "a small two", "a light coat", "a large dark bag"]
        ids = np.resize(text.tokenize(captions), (count, text.MAX_WORDS))
        return {"z": np.asarray(self.sample_latent(count, seed=seed)), "captions": ids}

    def get_config(self):
        config = super().get_config()
        config.update({
            "image_shape": self.image_shape, "latent_dim": self.latent_dim, "embedding_dim": self.embedding_dim,
            "compressed": self.compressed, "filters": self.filters, "interpolation": self.interpolation,
            "captions": self.captions,
        })
        return config


def _real_term(logits):
    """-log D: a real image with its caption."""
    return ops.softplus(-ops.cast(logits, "float32"))


def _fake_term(logits):
    """-log(1 - D): a fake image, or a real one with a wrong caption."""
    return ops.softplus(ops.cast(logits, "float32"))
