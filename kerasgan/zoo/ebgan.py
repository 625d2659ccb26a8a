"""EBGAN: energy-based GAN with an autoencoder discriminator (Zhao et al. 2016, arXiv:1609.03126)."""
import tensorflow as tf
from keras import ops

from kerasgan import gan, losses, penalties, registry, replicas
from kerasgan.networks import autoencoder, checks
from kerasgan.networks import dcgan as networks
from kerasgan.registry import Flag


@registry.register("ebgan")
class EBGAN(gan.GAN):
    """D(x) = mean squared reconstruction error of an autoencoder: the energy.

    D minimizes D(x) + [margin - D(G(z))]_+; G minimizes D(G(z)) + pull_away_weight * PT,
    the pull-away term on the encoder's embeddings of the generated batch (EBGAN-PT).
    The energy is per pixel, so `margin` is on that scale (default 1.0; set it for your data).

    Args:
        image_shape: (height, width, channels); or read off a given generator.
        latent_dim: length of z (default 100).
        margin: m of the discriminator's hinge on fake energies.
        pull_away_weight: the weight of the pull-away term (0: plain EBGAN).
        filters: filters of the first convolution of both networks.
        embedding_dim: length of the autoencoder's code, which the pull-away term compares.
        generator, discriminator: networks of one's own (an autoencoder with outputs [reconstruction, embedding]).
        **kwargs: discriminator_steps, split_real_batch, seed and the keras.Model arguments.
    """

    unsupported_options = ("label_smoothing", "penalty", "constraint", "instance_noise", "unrolled_steps", "pack", "diff_augment")
    cli_flags = (
        gan.LATENT_DIM, gan.FILTERS, *(flag for flag in gan.FLAGS if flag.name in ("discriminator_steps", "split_real_batch", "ema_decay")),
        Flag("margin", float, "EBGAN: energy margin m; default 1."),
        Flag("pull_away_weight", float, "EBGAN: weight of the pull-away term; default 0.1."),
    )

    def __init__(
        self, image_shape=None, latent_dim=None, margin=1.0, pull_away_weight=0.1, filters=64, embedding_dim=128,
        generator=None, discriminator=None, loss="energy", **kwargs,
    ):
        if loss != "energy":
            raise ValueError(f"EBGAN's loss is its energy, got loss={loss!r}")
        if not margin > 0:
            raise ValueError(f"margin must be > 0, got {margin!r}")
        if not pull_away_weight >= 0:
            raise ValueError(f"pull_away_weight must be >= 0, got {pull_away_weight!r}")
        image_shape, latent_dim = checks.image_settings("EBGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters)
        if discriminator is None:
            discriminator = autoencoder.build_autoencoder(image_shape, filters, embedding_dim)
        if len(discriminator.outputs) != 2:
            raise ValueError("an EBGAN discriminator is an autoencoder with outputs [reconstruction, embedding]")
        super().__init__(generator, discriminator, loss=loss, **kwargs)
        self.image_shape = image_shape
        self.margin = float(margin)
        self.pull_away_weight = float(pull_away_weight)
        self.filters = filters
        self.embedding_dim = embedding_dim
        self.track_metrics(generator=["pull_away_term"], discriminator=["real_energy", "fake_energy"])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        return {"image_shape": gan.image_shape_of(cls.__name__, element_spec, flags)}

    def energy(self, images, training=True):
        """(per-example mean squared reconstruction error, embedding)."""
        reconstruction, embedding = self.discriminator(images, training=training)
        error = ops.square(tf.cast(reconstruction, tf.float32) - tf.cast(images, tf.float32))
        return ops.mean(error, axis=tuple(range(1, len(images.shape)))), embedding

    def discriminator_update(self, real, fake, conditions):
        with tf.GradientTape() as tape:
            real_energy, _ = self.energy(real)
            fake_energy, _ = self.energy(fake)
            d_loss = ops.mean(losses.energy_discriminator_loss(real_energy, fake_energy, self.margin))
            scaled = self.scaled_loss(d_loss, self.discriminator_optimizer)
        self.apply_update(tape, scaled, self.discriminator, self.discriminator_optimizer)
        return {"d_loss": d_loss, "real_energy": ops.mean(real_energy), "fake_energy": ops.mean(fake_energy)}

    def generator_update(self, real, conditions):
        z = self.training_latent(ops.shape(real)[0])
        with tf.GradientTape() as tape:
            fake_energy, embedding = self.energy(self.generate_batch(z, conditions))
            pull_away = penalties.pull_away_term(replicas.gather(embedding))  # all pairs of the global batch
            g_loss = ops.mean(losses.energy_generator_loss(fake_energy)) + self.pull_away_weight * pull_away
            scaled = self.scaled_loss(g_loss, self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator, self.generator_optimizer)
        return {"g_loss": g_loss, "pull_away_term": pull_away}

    def test_step(self, data):
        real, conditions = self.split_batch(data)
        fake = self.generate_batch(self.training_latent(ops.shape(real)[0]), conditions, training=False)
        real_energy, _ = self.energy(real, training=False)
        fake_energy, _ = self.energy(fake, training=False)
        return self.report(
            d_loss=ops.mean(losses.energy_discriminator_loss(real_energy, fake_energy, self.margin)),
            g_loss=ops.mean(fake_energy),
        )

    def get_config(self):
        config = super().get_config()
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
