"""WGAN: Wasserstein GAN with weight clipping (Arjovsky et al. 2017) or gradient penalty (Gulrajani et al. 2017)."""
from kerasgan import gan, packing, registry
from kerasgan.networks import checks
from kerasgan.networks import dcgan as networks
from kerasgan.registry import Flag


@registry.register("wgan")
class WGAN(gan.GAN):
    """A critic f estimates the Wasserstein distance E[f(x)] - E[f(G(z))]; G minimizes it.

    penalty="clip" (arXiv:1701.07875): critic weights clipped to [-clip_value, clip_value]
    after each update (`kerasgan.penalties.WeightClipping`), RMSprop(5e-5). penalty="gp"
    (arXiv:1704.00028): gp_weight * (||grad f(x_hat)|| - 1)^2 on random interpolates
    (`kerasgan.penalties.GradientPenalty`), Adam(1e-4, 0.5, 0.9), no batch norm in the critic.
    Either way the critic takes `critic_steps` updates per generator update.

    Args:
        image_shape: (height, width, channels); or read off a given generator.
        latent_dim: length of z (default 100).
        penalty: "gp" (the default unless a constraint is given), "clip", or a penalty object.
        critic_steps: critic updates per generator update (5, both papers'); `discriminator_steps` is the same.
        gp_weight: lambda of the gradient penalty (10); `penalty_weight` is the same.
        clip_value: c of weight clipping (0.01).
        filters: filters of the critic's first convolution.
        normalization: the critic's normalization: "layer" (the WGAN-GP paper's choice), None, or "batch" (clip only).
        dense_units: > 0 adds a hidden dense layer of this width to both networks, InfoGAN's FC 1024
            (Chen et al. 2016), the networks of Lucic et al. 2018; 0: DCGAN's.
        generator, critic: networks of one's own (`discriminator` is the same as `critic`).
        **kwargs: the other options of `kerasgan.gan.GAN`.
    """

    cli_flags = tuple(flag for flag in gan.FLAGS if flag.name not in ("loss", "label_smoothing")) + (
        gan.LATENT_DIM, gan.FILTERS, gan.DENSE_UNITS,
        Flag("normalization", str, "WGAN: the critic's normalization, layer or none.", values=("layer", "none", "batch"),
             convert=lambda value: None if value == "none" else value),
    )

    def __init__(
        self,
        image_shape=None,
        latent_dim=None,
        penalty=None,
        critic_steps=None,
        gp_weight=None,
        clip_value=None,
        filters=64,
        normalization="layer",
        dense_units=0,
        generator=None,
        critic=None,
        loss="wasserstein",
        discriminator_steps=None,
        penalty_weight=None,
        constraint=None,
        discriminator=None,
        **kwargs,
    ):
        if loss != "wasserstein":
            raise ValueError(f"WGAN's loss is 'wasserstein', got {loss!r}: use DCGAN for the other losses")
        if isinstance(penalty, str) and penalty not in ("gp", "clip"):
            raise ValueError(f"WGAN's penalty is 'gp' (gradient penalty) or 'clip' (weight clipping), got {penalty!r}")
        if penalty is None and constraint is None:
            penalty = "gp"
        steps = _one_of("critic_steps", critic_steps, "discriminator_steps", discriminator_steps, default=5)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"critic_steps must be an integer >= 1, got {steps!r}")
        weight = _one_of("gp_weight", gp_weight, "penalty_weight", penalty_weight, default=None)
        critic = _one_of("critic", critic, "discriminator", discriminator, default=None)
        if penalty == "clip":
            penalty, constraint = None, "clip"
        if normalization == "batch" and penalty is not None:
            raise ValueError("the gradient penalty is per example, which batch norm breaks: use normalization='layer' or None")
        image_shape, latent_dim = checks.image_settings("WGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters, dense_units=dense_units)
        if critic is None:
            pack = packing.option(kwargs)
            critic = networks.build_discriminator(
                packing.packed_shape(image_shape, pack), filters, normalization, logit_bias=False, dense_units=dense_units,
                name="critic",
            )
        super().__init__(
            generator, critic, loss=loss, discriminator_steps=steps, penalty=penalty, penalty_weight=weight,
            constraint=constraint, clip_value=clip_value, **kwargs,
        )
        self.image_shape = image_shape
        self.filters = filters
        self.normalization = normalization
        self.dense_units = dense_units

    @classmethod
    def mixed_precision_by_default(cls, arguments):
        """WGAN-GP: its bfloat16 FID on MNIST was within float32's seed spread (BENCHMARKS.md, Precision).
        Weight clipping was not measured and stays float32."""
        penalty, constraint = arguments.get("penalty"), arguments.get("constraint")
        return penalty == "gp" or (penalty is None and constraint is None)

    @property
    def critic(self):
        """The discriminator, by its WGAN name."""
        return self.discriminator

    @property
    def critic_steps(self):
        return self.discriminator_steps

    @property
    def gp_weight(self):
        return self.penalty_weight

    @classmethod
    def data_arguments(cls, element_spec, flags):
        return {"image_shape": gan.image_shape_of(cls.__name__, element_spec, flags)}

    def network_config(self):
        return {"generator": self.generator, "critic": self.critic}

    def get_config(self):
        config = super().get_config()
        config.update(
            {"image_shape": self.image_shape, "latent_dim": self.latent_dim, "filters": self.filters, "normalization": self.normalization,
             "dense_units": self.dense_units}
        )
        return config


def _one_of(name, value, alias, alias_value, default):
    """The value of an argument that has two names (WGAN's and the GAN's); both given is a ValueError."""
    if value is not None and alias_value is not None:
        raise ValueError(f"{name} and {alias} are the same setting: give one")
    return value if value is not None else alias_value if alias_value is not None else default
