"""GAN: the original adversarial net with MLPs, for 2-D toy data (Goodfellow et al. 2014, arXiv:1406.2661)."""
import keras

from kerasgan import gan
from kerasgan.networks import mlp

DEFAULT_DATA_DIM = 2
DEFAULT_LATENT_DIM = 2


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(gan.GAN):
    """MLP generator and discriminator on vectors of `data_dim` (Goodfellow et al. 2014).

    The default sizes are the mixture benchmarks' (PacGAN, Lin et al. 2018): 3 x 512 ReLU.
    `data_scale` (the data's std) lets both built-in MLPs work on unit-scale data (networks/mlp.py);
    networks passed in (and those of a loaded model) keep their own scaling.
    `data_dim` and `latent_dim` default to 2, or to what a given generator works on.
    Every loss and penalty of the base class applies: `loss="wasserstein", penalty="gp",
    discriminator_steps=5` is WGAN-GP on 2-D data.
    """

    cpu_jit_compile = True  # XLA measured faster on the CPU (BENCHMARKS.md)

    def __init__(
        self,
        data_dim=None,
        latent_dim=None,
        units=512,
        depth=3,
        data_scale=1.0,
        loss="non_saturating",
        label_smoothing=0.0,
        discriminator_steps=1,
        penalty=None,
        penalty_weight=None,
        clip_value=0.01,
        instance_noise=0.0,
        generator=None,
        discriminator=None,
        seed=None,
        **kwargs,
    ):
        if generator is not None:
            gan.check_network("generator", generator)
            data_dim = data_dim or int(generator.outputs[0].shape[-1])
            latent_dim = latent_dim or int(generator.inputs[0].shape[-1])
        data_dim, latent_dim = data_dim or DEFAULT_DATA_DIM, latent_dim or DEFAULT_LATENT_DIM
        if generator is not None:
            gan.check_generator(generator, latent_dim, (data_dim,))
        else:
            generator = mlp.build_generator(data_dim, latent_dim, units, depth, data_scale)
        if discriminator is None:
            discriminator = mlp.build_discriminator(data_dim, units, depth, data_scale)
        super().__init__(
            generator,
            discriminator,
            loss=loss,
            label_smoothing=label_smoothing,
            discriminator_steps=discriminator_steps,
            penalty=penalty,
            penalty_weight=penalty_weight,
            clip_value=clip_value,
            instance_noise=instance_noise,
            seed=seed,
            **kwargs,
        )
        self.data_dim = data_dim
        self.units = units
        self.depth = depth
        self.data_scale = data_scale

    def get_config(self):
        config = super().get_config()
        config.update(
            {"data_dim": self.data_dim, "latent_dim": self.latent_dim, "units": self.units, "depth": self.depth,
             "data_scale": self.data_scale}
        )
        return config
