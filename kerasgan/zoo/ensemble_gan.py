"""EnsembleGAN: a generator trained against an ensemble of discriminators of increasing power.

Several discriminators, as in GMAN (Durugkar et al. 2017, arXiv:1611.01673), each seeing its inputs
through instance noise of its own strength (Arjovsky & Bottou 2017, arXiv:1701.04862): the ensemble's average
loss L = 1/n sum_i (L_real^i + L_fake^i) always gives the generator gradients, and the
per-discriminator losses, the ensemble profile, measure the generator's quality.
"""
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import gan, registry
from kerasgan.networks import checks, dcgan, mlp
from kerasgan.registry import Flag
from kerasgan.zoo import gan as mlp_gan

DEFAULT_MAX_NOISE = 2.0
PROFILE_PREFIX = "profile_"


@registry.register("ensemble_gan")
class EnsembleGAN(gan.GAN):
    """n discriminators D_0..D_{n-1} see their inputs with Gaussian noise whose std falls
    linearly from `max_noise` (D_0, the weakest) to 0 (D_{n-1}, the strongest); each learns
    from its own loss and G from their average. `fit` logs d_loss, g_loss and profile_i, the
    loss of D_i (with its noise): the ensemble profile, which a better generator raises for every i.

    Args:
        data_dim: length of a vector sample (the mixtures' MLPs); or
        image_shape: (height, width, channels) of images (DCGAN's networks).
        latent_dim: length of z (default 2 for vectors, 100 for images).
        num_discriminators: n.
        max_noise: the input-noise std of D_0.
        units, depth: the MLPs' hidden layers (vectors).
        filters: DCGAN's first convolution (images).
        generator, discriminators: networks of one's own (a list of n discriminators).
        **kwargs: loss, label_smoothing, discriminator_steps, split_real_batch, seed.
    """

    unsupported_options = ("penalty", "constraint", "instance_noise", "unrolled_steps", "pack", "diff_augment")
    cli_flags = (
        gan.LATENT_DIM, gan.FILTERS,
        *(flag for flag in gan.FLAGS if flag.name in ("loss", "label_smoothing", "discriminator_steps", "split_real_batch", "ema_decay")),
        mlp_gan.UNITS,
        mlp_gan.DEPTH,
        Flag("num_discriminators", int, "ensemble_gan: discriminators in the ensemble; default 5."),
        Flag("max_noise", float, "ensemble_gan: input-noise std of the weakest discriminator (falls to 0); default 2."),
    )

    def __init__(
        self,
        data_dim=None,
        image_shape=None,
        latent_dim=None,
        num_discriminators=5,
        max_noise=DEFAULT_MAX_NOISE,
        units=512,
        depth=3,
        filters=64,
        generator=None,
        discriminators=None,
        **kwargs,
    ):
        if isinstance(num_discriminators, bool) or not isinstance(num_discriminators, int) or num_discriminators < 1:
            raise ValueError(f"num_discriminators must be an integer >= 1, got {num_discriminators!r}")
        if not max_noise >= 0:
            raise ValueError(f"max_noise is a standard deviation: it must be >= 0, got {max_noise!r}")
        if discriminators is not None and len(discriminators) != num_discriminators:
            raise ValueError(f"got {len(discriminators)} discriminators for num_discriminators={num_discriminators}")
        if image_shape is not None or (generator is not None and len(generator.outputs[0].shape) == 4):
            image_shape, latent_dim = checks.image_settings("EnsembleGAN", image_shape, latent_dim, generator)
            generator = generator or dcgan.build_generator(image_shape, latent_dim, filters)
            build = lambda name: dcgan.build_discriminator(image_shape, filters, name=name)  # noqa: E731
        else:
            data_dim, latent_dim = checks.vector_settings(data_dim, latent_dim, generator)
            generator = generator or mlp.build_generator(data_dim, latent_dim, units, depth)
            build = lambda name: mlp.build_discriminator(data_dim, units, depth, name=name)  # noqa: E731
        if discriminators is None:
            discriminators = [build(f"discriminator_{index}") for index in range(num_discriminators)]
        for index, discriminator in enumerate(discriminators):
            checks.check_network(f"discriminators[{index}]", discriminator)
            checks.check_fit(generator, discriminator)
        super().__init__(generator, discriminators[-1], **kwargs)
        self.discriminators = list(discriminators)
        self.num_discriminators = num_discriminators
        self.max_noise = float(max_noise)
        self.noise_levels = noise_levels(num_discriminators, self.max_noise)
        self.data_dim, self.image_shape = data_dim, image_shape
        self.units, self.depth, self.filters = units, depth, filters
        self.track_metrics(discriminator=[f"{PROFILE_PREFIX}{index}" for index in range(num_discriminators)])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        shape = gan.sample_shape_of(element_spec)
        return {"data_dim": shape[0]} if len(shape) == 1 else {"image_shape": shape}

    def discriminator_networks(self):
        return list(self.discriminators)

    def networks_trained_by(self, metric):
        """profile_i is the loss of discriminators[i] alone."""
        index = metric[len(PROFILE_PREFIX):]
        if metric.startswith(PROFILE_PREFIX) and index.isdigit():
            return self.discriminators[int(index) : int(index) + 1]
        return super().networks_trained_by(metric)

    def noisy(self, samples, std):
        """`samples` plus Gaussian noise of standard deviation `std` (the same draw on any replica count)."""
        if std == 0.0:
            return samples
        return samples + std * self.replica_draw(ops.shape(samples)[0], self.sample_shape)

    def profile(self, real, fake, training=True):
        """Each discriminator's loss on (real, fake), its inputs with its noise: the ensemble profile."""
        return [
            ops.mean(self.discriminator_loss(
                discriminator(self.noisy(real, std), training=training),
                discriminator(self.noisy(fake, std), training=training),
            ))
            for discriminator, std in zip(self.discriminators, self.noise_levels)
        ]

    def discriminator_update(self, real, fake, conditions):
        with tf.GradientTape() as tape:
            profile = self.profile(real, fake)
            d_loss = ops.mean(ops.stack(profile))  # each D's gradient comes from its own term only
            scaled = self.scaled_loss(d_loss, self.discriminator_optimizer)
        self.apply_update(tape, scaled, self.discriminators, self.discriminator_optimizer)
        return {"d_loss": d_loss, **{f"{PROFILE_PREFIX}{index}": loss for index, loss in enumerate(profile)}}

    def generator_loss_of(self, real, fake, conditions):
        """The average of G's losses against each discriminator, each seeing its own noise."""
        return ops.mean(ops.stack([
            ops.mean(self.generator_loss(discriminator(self.noisy(fake, std), training=True)))
            for discriminator, std in zip(self.discriminators, self.noise_levels)
        ]))

    def test_step(self, data):
        real, conditions = self.split_batch(data)
        fake = self.generate_batch(self.training_latent(ops.shape(real)[0]), conditions, training=False)
        profile = self.profile(real, fake, training=False)
        return self.report(
            d_loss=ops.mean(ops.stack(profile)), **{f"{PROFILE_PREFIX}{i}": loss for i, loss in enumerate(profile)}
        )

    def extra_scores(self, real, fake):
        """The ensemble profile on `real()` against `fake`: its quality measure."""
        return self.ensemble_profile(real(), fake)

    def ensemble_profile(self, real, fake, seed=0, batch_size=256):
        """{profile_i: loss of D_i} on arrays of real and generated samples, each D_i seeing its own input
        noise (drawn from `seed`), as in training: the noise is part of what makes D_i weaker."""
        rng, count = np.random.default_rng(seed), min(len(real), len(fake))
        profile = {}
        for index, (discriminator, std) in enumerate(zip(self.discriminators, self.noise_levels)):
            noisy = [part[:count] + std * rng.standard_normal(part[:count].shape).astype("float32") for part in (real, fake)]
            real_logits, fake_logits = (discriminator.predict(part, batch_size=batch_size, verbose=0) for part in noisy)
            profile[f"{PROFILE_PREFIX}{index}"] = float(ops.mean(self.discriminator_loss(real_logits, fake_logits)))
        return profile

    def network_config(self):
        return {"generator": self.generator, "discriminators": self.discriminators}

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "data_dim": self.data_dim,
                "image_shape": self.image_shape,
                "latent_dim": self.latent_dim,
                "num_discriminators": self.num_discriminators,
                "max_noise": self.max_noise,
                "units": self.units,
                "depth": self.depth,
                "filters": self.filters,
            }
        )
        return config


def noise_levels(count, max_noise):
    """Input-noise stds of the ensemble, falling linearly from max_noise to 0 (one discriminator: 0)."""
    if count == 1:
        return [0.0]
    return [max_noise * (count - 1 - index) / (count - 1) for index in range(count)]
