"""DCGAN: deep convolutional GAN (Radford et al. 2015, arXiv:1511.06434)."""
from kerasgan import gan, packing, registry
from kerasgan.networks import checks
from kerasgan.networks import dcgan as networks
from kerasgan.registry import Flag


@registry.register("dcgan")
class DCGAN(gan.GAN):
    """Convolutional generator and discriminator sized from `image_shape` (Radford et al. 2015).

    Args:
        image_shape: (height, width, channels) of the images; or read off a given network.
        latent_dim: length of z (default 100, or what a given generator takes).
        spectral_norm: spectral normalization on the discriminator instead of batch norm
            (Miyato et al. 2018, arXiv:1802.05957).
        filters: filters of the discriminator's first convolution (the generator mirrors it).
        dense_units: > 0 adds a hidden dense layer of this width to both networks, InfoGAN's
            FC 1024 (Chen et al. 2016), the networks of Lucic et al. 2018; 0: DCGAN's.
        generator, discriminator: networks of one's own in place of the default ones.
        **kwargs: the options of `kerasgan.gan.GAN` (loss, label_smoothing, penalty, ...).
    """

    cli_flags = gan.FLAGS + (
        gan.LATENT_DIM, gan.FILTERS, Flag("spectral_norm", bool, "DCGAN: spectral normalization in the discriminator."),
        gan.DENSE_UNITS,
    )

    def __init__(
        self, image_shape=None, latent_dim=None, spectral_norm=False, filters=64, dense_units=0, generator=None,
        discriminator=None, **kwargs,
    ):
        pack = packing.option(kwargs)
        if image_shape is None and generator is None and discriminator is not None:
            checks.check_network("discriminator", discriminator)
            image_shape = packing.unpacked_shape(tuple(int(d) for d in discriminator.inputs[0].shape[1:]), pack)
        image_shape, latent_dim = checks.image_settings("DCGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters, dense_units=dense_units)
        if discriminator is None:
            normalization = None if spectral_norm else "batch"  # SN-GAN's discriminator has no batch norm
            discriminator = networks.build_discriminator(
                packing.packed_shape(image_shape, pack), filters, normalization, spectral_norm, dense_units=dense_units
            )
        super().__init__(generator, discriminator, **kwargs)
        self.image_shape = image_shape
        self.filters = filters
        self.spectral_norm = spectral_norm
        self.dense_units = dense_units

    @classmethod
    def mixed_precision_by_default(cls, arguments):
        """The non-saturating DCGAN with batch norm: its bfloat16 FID on MNIST was within float32's seed spread
        (BENCHMARKS.md, Precision). Other losses, spectral norm and penalties were not measured and stay float32."""
        measured = {"loss": "non_saturating", "spectral_norm": False, "penalty": None, "constraint": None}
        return all(arguments.get(name, default) == default for name, default in measured.items())

    @classmethod
    def data_arguments(cls, element_spec, flags):
        return {"image_shape": gan.image_shape_of(cls.__name__, element_spec, flags)}

    def get_config(self):
        config = super().get_config()
        config.update(
            {"image_shape": self.image_shape, "latent_dim": self.latent_dim, "filters": self.filters, "spectral_norm": self.spectral_norm,
             "dense_units": self.dense_units}
        )
        return config
