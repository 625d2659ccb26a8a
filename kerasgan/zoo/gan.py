"""GAN: the original adversarial net with MLPs, for 2-D toy data (Goodfellow et al. 2014, arXiv:1406.2661)."""
from kerasgan import gan, packing, registry
from kerasgan.networks import checks, mlp
from kerasgan.registry import Flag

UNITS = Flag("units", int, "MLP networks: units per hidden layer; default 512.")
DEPTH = Flag("depth", int, "MLP networks: hidden layers per network; default 3.")


@registry.register("gan")
class GAN(gan.GAN):
    """MLP generator and discriminator on vectors of `data_dim` (Goodfellow et al. 2014).

    The default sizes are the mixture benchmarks' (PacGAN, Lin et al. 2018): 3 x 512 ReLU.
    Every loss, penalty and constraint of `kerasgan.gan.GAN` applies: `loss="wasserstein",
    penalty="gp", discriminator_steps=5` is WGAN-GP on 2-D data.

    Args:
        data_dim: length of a sample (default 2, or what a given generator makes).
        latent_dim: length of z (default 2, or what a given generator takes).
        units: units per hidden layer.
        depth: hidden layers per network.
        discriminator_units, discriminator_depth: the discriminator's, when they differ (None: units, depth).
        data_scale: the data's std; the built-in MLPs then work on unit-scale data (networks/mlp.py).
            Networks passed in (and those of a loaded model) keep their own scaling.
        generator_batch_norm: batch norm in the generator's hidden layers (PacGAN's generators).
        maxout_pieces: > 1 makes the discriminator's hidden layers maxouts of that many pieces
            (Goodfellow et al. 2013; PacGAN's discriminators use 5).
        generator, discriminator: networks of one's own in place of the MLPs.
        **kwargs: the options of `kerasgan.gan.GAN`.
    """

    cli_flags = gan.FLAGS + (
        gan.LATENT_DIM,
        UNITS,
        DEPTH,
        Flag("data_scale", float, "GAN: the data's std; the networks then work on unit-scale data."),
        Flag("discriminator_units", int, "GAN: units per hidden layer of the MLP discriminator; default --units."),
        Flag("discriminator_depth", int, "GAN: hidden layers of the MLP discriminator; default --depth."),
        Flag("generator_batch_norm", bool, "GAN: batch norm in the MLP generator's hidden layers (PacGAN's)."),
        Flag("maxout_pieces", int, "GAN: the MLP discriminator's hidden layers as maxouts of this many pieces (PacGAN's: 5)."),
    )

    def __init__(
        self, data_dim=None, latent_dim=None, units=512, depth=3, data_scale=1.0, discriminator_units=None,
        discriminator_depth=None, generator_batch_norm=False, maxout_pieces=1, generator=None, discriminator=None,
        **kwargs,
    ):
        data_dim, latent_dim = checks.vector_settings(data_dim, latent_dim, generator)
        if generator is None:
            generator = mlp.build_generator(data_dim, latent_dim, units, depth, data_scale, generator_batch_norm)
        if discriminator is None:
            pack = packing.option(kwargs)
            discriminator = mlp.build_discriminator(
                data_dim * pack, discriminator_units or units, discriminator_depth or depth, data_scale, maxout_pieces
            )
        super().__init__(generator, discriminator, **kwargs)
        self.data_dim = data_dim
        self.units = units
        self.depth = depth
        self.data_scale = data_scale
        self.discriminator_units, self.discriminator_depth = discriminator_units, discriminator_depth
        self.generator_batch_norm = generator_batch_norm
        self.maxout_pieces = maxout_pieces

    @classmethod
    def data_arguments(cls, element_spec, flags):
        shape = gan.sample_shape_of(element_spec)
        if len(shape) != 1:
            raise ValueError(f"gan trains on vectors; {flags.dataset} yields samples of shape {shape}: use dcgan")
        return {"data_dim": shape[0]}

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "data_dim": self.data_dim, "latent_dim": self.latent_dim, "units": self.units, "depth": self.depth,
                "data_scale": self.data_scale, "discriminator_units": self.discriminator_units,
                "discriminator_depth": self.discriminator_depth, "generator_batch_norm": self.generator_batch_norm,
                "maxout_pieces": self.maxout_pieces,
            }
        )
        return config
