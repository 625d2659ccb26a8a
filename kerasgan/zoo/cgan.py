"""CGAN: conditional GAN, both networks conditioned on the class label (Mirza & Osindero 2014, arXiv:1411.1784)."""
from kerasgan import conditioning, gan, registry
from kerasgan.networks import checks
from kerasgan.networks import dcgan as networks


@registry.register("cgan")
class CGAN(conditioning.ClassConditional, gan.GAN):
    """G(z | y) and D(x | y) for labels y in [0, num_classes), trained on (images, labels) batches.

    The label is embedded and joined to z, and embedded into an extra image channel for D.
    The generator step uses the batch's labels. `generate(n, labels=...)`: an int, a
    sequence (cycled to n) or None for 0, 1, ..., num_classes - 1 in turn.

    Args:
        image_shape: (height, width, channels) of the images; or read off a given generator.
        num_classes: the number of labels (>= 2).
        latent_dim: length of z (default 100).
        filters: filters of the discriminator's first convolution.
        dense_units: > 0 adds a hidden dense layer of this width to both networks, InfoGAN's FC 1024
            (Chen et al. 2016), the networks of Lucic et al. 2018; 0: DCGAN's.
        generator, discriminator: networks of one's own, each taking [x, labels].
        **kwargs: the options of `kerasgan.gan.GAN`.
    """

    cli_flags = conditioning.FLAGS + (gan.LATENT_DIM, gan.FILTERS, gan.DENSE_UNITS, conditioning.NUM_CLASSES)

    def __init__(
        self, image_shape=None, num_classes=None, latent_dim=None, filters=64, dense_units=0, generator=None,
        discriminator=None, **kwargs,
    ):
        conditioning.check_num_classes(num_classes)
        image_shape, latent_dim = checks.image_settings("CGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters, num_classes=num_classes, dense_units=dense_units)
        if discriminator is None:
            discriminator = networks.build_discriminator(image_shape, filters, num_classes=num_classes, dense_units=dense_units)
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = num_classes
        self.image_shape = image_shape
        self.filters = filters
        self.dense_units = dense_units

    def get_config(self):
        config = super().get_config()
        config.update(
            {"image_shape": self.image_shape, "latent_dim": self.latent_dim, "filters": self.filters, "dense_units": self.dense_units}
        )
        return config
