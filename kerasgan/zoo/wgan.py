"""WGAN: Wasserstein GAN with weight clipping (Arjovsky et al. 2017) or gradient penalty (Gulrajani et al. 2017)."""
import keras

from kerasgan import gan
from kerasgan.networks import dcgan as networks
PENALTIES = ("gp", "clip")


@keras.saving.register_keras_serializable(package="kerasgan")
class WGAN(gan.GAN):
    """A critic f estimates the Wasserstein distance E[f(x)] - E[f(G(z))]; G minimizes it.

    penalty="clip" (arXiv:1701.07875): critic weights clipped to [-clip_value, clip_value]
    after each update, RMSprop(5e-5). penalty="gp" (arXiv:1704.00028): gp_weight *
    (||grad f(x_hat)|| - 1)^2 on random interpolates, Adam(1e-4, 0.5, 0.9), no batch norm
    in the critic. Either way the critic takes `critic_steps` updates per generator update.
    """

    cpu_jit_compile = True  # XLA measured faster on the CPU (BENCHMARKS.md)

    def __init__(
        self,
        image_shape=None,
        latent_dim=None,
        penalty="gp",
        critic_steps=5,
        gp_weight=10.0,
        clip_value=0.01,
        filters=64,
        normalization="layer",
        generator=None,
        critic=None,
        seed=None,
        **kwargs,
    ):
        if penalty not in PENALTIES:
            raise ValueError(f"WGAN's penalty is 'gp' (gradient penalty) or 'clip' (weight clipping), got {penalty!r}")
        if isinstance(critic_steps, bool) or not isinstance(critic_steps, int) or critic_steps < 1:
            raise ValueError(f"critic_steps must be an integer >= 1, got {critic_steps!r}")
        if normalization == "batch" and penalty == "gp":
            raise ValueError("the gradient penalty is per example, which batch norm breaks: use normalization='layer' or None")
        image_shape, latent_dim = gan.image_settings("WGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters)
        if critic is None:
            critic = networks.build_discriminator(image_shape, filters, normalization, logit_bias=False, name="critic")
        super().__init__(
            generator,
            critic,
            loss="wasserstein",
            discriminator_steps=critic_steps,
            penalty=penalty,
            penalty_weight=gp_weight,
            clip_value=clip_value,
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.critic_steps = critic_steps
        self.gp_weight = float(gp_weight)
        self.filters = filters
        self.normalization = normalization

    @property
    def critic(self):
        """The discriminator, by its WGAN name."""
        return self.discriminator

    def get_config(self):
        config = super().get_config()
        for fixed in ("loss", "label_smoothing", "discriminator_steps", "penalty_weight", "instance_noise"):
            config.pop(fixed)
        config["critic"] = config.pop("discriminator")
        config.update(
            {
                "image_shape": self.image_shape,
                "latent_dim": self.latent_dim,
                "critic_steps": self.critic_steps,
                "gp_weight": self.gp_weight,
                "filters": self.filters,
                "normalization": self.normalization,
            }
        )
        return config
