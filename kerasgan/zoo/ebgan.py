"""EBGAN: energy-based GAN with an autoencoder discriminator (Zhao et al. 2016, arXiv:1609.03126)."""
import keras
import tensorflow as tf
from keras import ops

from kerasgan import gan, losses, penalties, replicas
from kerasgan.networks import autoencoder
from kerasgan.networks import dcgan as networks


@keras.saving.register_keras_serializable(package="kerasgan")
class EBGAN(gan.GAN):
    """D(x) = mean squared reconstruction error of an autoencoder: the energy.

    D minimizes D(x) + [margin - D(G(z))]_+; G minimizes D(G(z)) + pull_away_weight * PT,
    the pull-away term on the encoder's embeddings of the generated batch (EBGAN-PT).
    The energy is per pixel, so `margin` is on that scale (default 1.0; set it for your data).
    """

    extra_metric_names = ("pull_away_term", "real_energy", "fake_energy")

    def __init__(
        self,
        image_shape=None,
        latent_dim=None,
        margin=1.0,
        pull_away_weight=0.1,
        filters=64,
        embedding_dim=128,
        generator=None,
        discriminator=None,
        seed=None,
        **kwargs,
    ):
        if not margin > 0:
            raise ValueError(f"margin must be > 0, got {margin!r}")
        if not pull_away_weight >= 0:
            raise ValueError(f"pull_away_weight must be >= 0, got {pull_away_weight!r}")
        image_shape, latent_dim = gan.image_settings("EBGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters)
        if discriminator is None:
            discriminator = autoencoder.build_autoencoder(image_shape, filters, embedding_dim)
        if len(discriminator.outputs) != 2:
            raise ValueError("an EBGAN discriminator is an autoencoder with outputs [reconstruction, embedding]")
        super().__init__(generator, discriminator, loss="energy", seed=seed, **kwargs)
        self.image_shape = image_shape
        self.margin = float(margin)
        self.pull_away_weight = float(pull_away_weight)
        self.filters = filters
        self.embedding_dim = embedding_dim

    def _energy(self, images, training=True):
        """(per-example mean squared reconstruction error, embedding)."""
        reconstruction, embedding = self.discriminator(images, training=training)
        error = ops.square(tf.cast(reconstruction, tf.float32) - tf.cast(images, tf.float32))
        return ops.mean(error, axis=tuple(range(1, len(images.shape)))), embedding

    def _discriminator_step(self, real, conditions):
        fake = self._generate(self._training_latent(ops.shape(real)[0]), conditions)
        with tf.GradientTape() as tape:
            real_energy, _ = self._energy(real)
            fake_energy, _ = self._energy(fake)
            d_loss = ops.mean(losses.energy_discriminator_loss(real_energy, fake_energy, self.margin))
            scaled = self._scaled(d_loss, self.discriminator_optimizer)
        self._apply(tape, scaled, self.discriminator, self.discriminator_optimizer)
        return {"d_loss": d_loss, "real_energy": ops.mean(real_energy), "fake_energy": ops.mean(fake_energy)}

    def _generator_step(self, real, conditions):
        z = self._training_latent(ops.shape(real)[0])
        with tf.GradientTape() as tape:
            fake_energy, embedding = self._energy(self._generate(z, conditions))
            pull_away = penalties.pull_away_term(replicas.gather(embedding))  # all pairs of the global batch
            g_loss = ops.mean(losses.energy_generator_loss(fake_energy)) + self.pull_away_weight * pull_away
            scaled = self._scaled(g_loss, self.generator_optimizer)
        self._apply(tape, scaled, self.generator, self.generator_optimizer)
        return {"g_loss": g_loss, "pull_away_term": pull_away}

    def test_step(self, data):
        real, conditions = self._split_batch(data)
        fake = self._generate(self._training_latent(ops.shape(real)[0]), conditions, training=False)
        real_energy, _ = self._energy(real, training=False)
        fake_energy, _ = self._energy(fake, training=False)
        self.trackers["d_loss"].update_state(ops.mean(losses.energy_discriminator_loss(real_energy, fake_energy, self.margin)))
        self.trackers["g_loss"].update_state(ops.mean(fake_energy))
        return {name: self.trackers[name].result() for name in ("d_loss", "g_loss")}

    def get_config(self):
        config = super().get_config()
        fixed = ("loss", "label_smoothing", "penalty", "penalty_weight", "clip_value", "instance_noise")
        for key in fixed + ("unrolled_steps", "unrolled_learning_rate"):
            config.pop(key)
        config.update(
            {
                "image_shape": self.image_shape,
                "latent_dim": self.latent_dim,
                "margin": self.margin,
                "pull_away_weight": self.pull_away_weight,
                "filters": self.filters,
                "embedding_dim": self.embedding_dim,
            }
        )
        return config
