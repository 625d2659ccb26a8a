"""EnsembleGAN: a generator trained against an ensemble of discriminators of increasing power.

Several discriminators, as in GMAN (Durugkar et al. 2017, arXiv:1611.01673), each seeing its inputs
through instance noise of its own strength (Arjovsky & Bottou 2017, arXiv:1701.04862): the ensemble's average
loss L = 1/(2n) sum_i (L_real^i + L_pseudo^i) always gives the generator gradients, and the
per-discriminator losses, the ensemble profile, measure the generator's quality.
"""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import gan
from kerasgan.networks import dcgan, mlp

DEFAULT_MAX_NOISE = 2.0


@keras.saving.register_keras_serializable(package="kerasgan")
class EnsembleGAN(gan.GAN):
    """n discriminators D_0..D_{n-1} see their inputs with Gaussian noise whose std falls
    linearly from `max_noise` (D_0, the weakest) to 0 (D_{n-1}, the strongest); each learns
    from its own loss and G from their average. `fit` logs d_loss, g_loss and profile_i, the
    loss of D_i (with its noise): the ensemble profile, which a better generator raises for every i.

    Vectors (`data_dim`, the mixtures' MLPs) or images (`image_shape`, DCGAN's networks);
    `generator=` and `discriminators=` replace the default networks.
    """

    def __init__(
        self,
        data_dim=None,
        image_shape=None,
        latent_dim=None,
        num_discriminators=5,
        max_noise=DEFAULT_MAX_NOISE,
        loss="non_saturating",
        label_smoothing=0.0,
        units=512,
        depth=3,
        filters=64,
        generator=None,
        discriminators=None,
        seed=None,
        **kwargs,
    ):
        if isinstance(num_discriminators, bool) or not isinstance(num_discriminators, int) or num_discriminators < 1:
            raise ValueError(f"num_discriminators must be an integer >= 1, got {num_discriminators!r}")
        if not max_noise >= 0:
            raise ValueError(f"max_noise is a standard deviation: it must be >= 0, got {max_noise!r}")
        if discriminators is not None and len(discriminators) != num_discriminators:
            raise ValueError(f"got {len(discriminators)} discriminators for num_discriminators={num_discriminators}")
        if image_shape is not None or (generator is not None and len(generator.outputs[0].shape) == 4):
            image_shape, latent_dim = gan.image_settings("EnsembleGAN", image_shape, latent_dim, generator)
            generator = generator or dcgan.build_generator(image_shape, latent_dim, filters)
            build = lambda name: dcgan.build_discriminator(image_shape, filters, name=name)  # noqa: E731
        else:
            if generator is not None:
                gan.check_network("generator", generator)
                data_dim = data_dim or int(generator.outputs[0].shape[-1])
                latent_dim = latent_dim or int(generator.inputs[0].shape[-1])
            data_dim, latent_dim = data_dim or 2, latent_dim or 2
            generator = generator or mlp.build_generator(data_dim, latent_dim, units, depth)
            build = lambda name: mlp.build_discriminator(data_dim, units, depth, name=name)  # noqa: E731
        if discriminators is None:
            discriminators = [build(f"discriminator_{index}") for index in range(num_discriminators)]
        for index, discriminator in enumerate(discriminators):
            gan.check_network(f"discriminators[{index}]", discriminator)
            gan.check_fit(generator, discriminator)
        self.num_discriminators = num_discriminators
        super().__init__(generator, discriminators[-1], loss=loss, label_smoothing=label_smoothing, seed=seed, **kwargs)
        self.discriminators = list(discriminators)
        self.max_noise = float(max_noise)
        self.noise_levels = noise_levels(num_discriminators, self.max_noise)
        self.data_dim, self.image_shape = data_dim, image_shape
        self.units, self.depth, self.filters = units, depth, filters

    def _metric_names(self):
        return ["d_loss", "g_loss"] + [f"profile_{index}" for index in range(self.num_discriminators)]

    def discriminator_networks(self):
        return list(self.discriminators)

    def _noisy(self, samples, std):
        """`samples` plus Gaussian noise of standard deviation `std` (the same draw on any replica count)."""
        if std == 0.0:
            return samples
        return samples + std * self._replica_draw(ops.shape(samples)[0], self.sample_shape)

    def _profile(self, real, fake, training=True):
        """Each discriminator's loss on (real, fake), its inputs with its noise: the ensemble profile."""
        return [
            ops.mean(self.discriminator_loss(
                discriminator(self._noisy(real, std), training=training),
                discriminator(self._noisy(fake, std), training=training),
            ))
            for discriminator, std in zip(self.discriminators, self.noise_levels)
        ]

    def _discriminator_update(self, real, fake, conditions):
        with tf.GradientTape() as tape:
            profile = self._profile(real, fake)
            d_loss = ops.mean(ops.stack(profile))  # each D's gradient comes from its own term only
            scaled = self._scaled(d_loss, self.discriminator_optimizer)
        self._apply(tape, scaled, self.discriminators, self.discriminator_optimizer)
        return {"d_loss": d_loss, **{f"profile_{index}": loss for index, loss in enumerate(profile)}}

    def _generator_loss(self, real, fake, conditions):
        """The average of G's losses against each discriminator, each seeing its own noise."""
        return ops.mean(ops.stack([
            ops.mean(self.generator_loss(discriminator(self._noisy(fake, std), training=True)))
            for discriminator, std in zip(self.discriminators, self.noise_levels)
        ]))

    def test_step(self, data):
        real, conditions = self._split_batch(data)
        fake = self._generate(self._training_latent(ops.shape(real)[0]), conditions, training=False)
        profile = self._profile(real, fake, training=False)
        return self._track(d_loss=ops.mean(ops.stack(profile)), **{f"profile_{i}": loss for i, loss in enumerate(profile)})

    def ensemble_profile(self, real, fake, seed=0, batch_size=256):
        """{profile_i: loss of D_i} on arrays of real and generated samples, each D_i seeing its own input
        noise (drawn from `seed`), as in training: the noise is part of what makes D_i weaker."""
        rng, count = np.random.default_rng(seed), min(len(real), len(fake))
        profile = {}
        for index, (discriminator, std) in enumerate(zip(self.discriminators, self.noise_levels)):
            noisy = [part[:count] + std * rng.standard_normal(part[:count].shape).astype("float32") for part in (real, fake)]
            real_logits, fake_logits = (discriminator.predict(part, batch_size=batch_size, verbose=0) for part in noisy)
            profile[f"profile_{index}"] = float(ops.mean(self.discriminator_loss(real_logits, fake_logits)))
        return profile

    def get_config(self):
        config = super().get_config()
        for fixed in ("discriminator", "discriminator_steps", "penalty", "penalty_weight", "clip_value", "instance_noise",
                      "unrolled_steps", "unrolled_learning_rate"):
            config.pop(fixed)
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
                "discriminators": [keras.saving.serialize_keras_object(d) for d in self.discriminators],
            }
        )
        return config


def noise_levels(count, max_noise):
    """Input-noise stds of the ensemble, falling linearly from max_noise to 0 (one discriminator: 0)."""
    if count == 1:
        return [0.0]
    return [max_noise * (count - 1 - index) / (count - 1) for index in range(count)]
