"""SNGAN: spectrally normalized GAN with ResNet networks and the hinge loss (Miyato et al. 2018, arXiv:1802.05957)."""
import keras

from kerasgan import gan, packing, registry
from kerasgan.networks import checks
from kerasgan.networks import sngan as networks


@registry.register("sngan")
class SNGAN(gan.GAN):
    """ResNet G and D, spectral normalization on every weight layer of D, the hinge loss, 5 D steps per G step.

    The setup of Miyato et al. 2018's CIFAR-10 ResNet experiments, as their code's unconditional CIFAR-10
    configuration sets it (pfnet-research/sngan_projection): D minimizes E[max(0, 1 - D(x))] +
    E[max(0, 1 + D(G(z)))], G minimizes -E[D(G(z))]; Adam(2e-4, beta_1=0, beta_2=0.9) for both networks;
    n_dis = 5; z of 128; G's blocks 256 channels, D's 128; batch 64.

    Args:
        image_shape: (height, width, channels); or read off a given generator.
        latent_dim: length of z (default 128, the paper's, or what a given generator takes).
        filters: channels of D's blocks (128, the paper's); G's blocks have twice as many (256).
        generator, discriminator: networks of one's own in place of the ResNets.
        loss: "hinge" (the paper's) or another GAN loss family.
        discriminator_steps: n_dis, D updates per G update (5).
        **kwargs: the other options of `kerasgan.gan.GAN` (ema_decay, diff_augment, pack, ...).
    """

    cli_flags = gan.FLAGS + (gan.LATENT_DIM, gan.FILTERS)

    def __init__(
        self, image_shape=None, latent_dim=None, filters=128, generator=None, discriminator=None, loss="hinge",
        discriminator_steps=5, **kwargs,
    ):
        pack = packing.option(kwargs)
        image_shape, latent_dim = checks.image_settings("SNGAN", image_shape, latent_dim, generator, default_latent_dim=128)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, 2 * filters)
        if discriminator is None:
            discriminator = networks.build_discriminator(packing.packed_shape(image_shape, pack), filters)
        super().__init__(generator, discriminator, loss=loss, discriminator_steps=discriminator_steps, **kwargs)
        self.image_shape = image_shape
        self.filters = filters

    def default_generator_optimizer(self):
        """Adam(2e-4, beta_1=0, beta_2=0.9), the authors' for the ResNets, unless a penalty or constraint brings its own."""
        if any(hasattr(regularizer, "default_optimizer") for regularizer in (self.penalty, self.constraint)):
            return super().default_generator_optimizer()
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.0, beta_2=0.9)

    @classmethod
    def data_arguments(cls, element_spec, flags):
        return {"image_shape": gan.image_shape_of(cls.__name__, element_spec, flags)}

    def get_config(self):
        config = super().get_config()
        config.update({"image_shape": self.image_shape, "latent_dim": self.latent_dim, "filters": self.filters})
        return config
