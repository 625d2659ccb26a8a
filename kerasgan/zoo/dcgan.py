"""DCGAN: deep convolutional GAN (Radford et al. 2015, arXiv:1511.06434)."""
import keras

from kerasgan import gan
from kerasgan.networks import dcgan as networks


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGAN(gan.GAN):
    """Convolutional generator and discriminator sized from `image_shape` (Radford et al. 2015).

    `generator=` / `discriminator=` replace the default networks; `latent_dim` defaults to
    100, or to what a given generator takes. Regularizers: `label_smoothing`,
    `instance_noise`, `penalty="r1"|"gp"` with `penalty_weight`, `spectral_norm`.
    """

    def __init__(
        self,
        image_shape=None,
        latent_dim=None,
        loss="non_saturating",
        label_smoothing=0.0,
        discriminator_steps=1,
        penalty=None,
        penalty_weight=None,
        instance_noise=0.0,
        spectral_norm=False,
        filters=64,
        generator=None,
        discriminator=None,
        seed=None,
        **kwargs,
    ):
        if image_shape is None and generator is None and discriminator is not None:
            gan.check_network("discriminator", discriminator)
            image_shape = tuple(int(d) for d in discriminator.inputs[0].shape[1:])
        image_shape, latent_dim = gan.image_settings("DCGAN", image_shape, latent_dim, generator)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters)
        if discriminator is None:
            normalization = None if spectral_norm else "batch"  # SN-GAN's discriminator has no batch norm
            discriminator = networks.build_discriminator(image_shape, filters, normalization, spectral_norm)
        super().__init__(
            generator,
            discriminator,
            loss=loss,
            label_smoothing=label_smoothing,
            discriminator_steps=discriminator_steps,
            penalty=penalty,
            penalty_weight=penalty_weight,
            instance_noise=instance_noise,
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.filters = filters
        self.spectral_norm = spectral_norm

    def get_config(self):
        config = super().get_config()
        config.pop("clip_value")  # weight clipping is WGAN's
        config.update(
            {
                "image_shape": self.image_shape,
                "latent_dim": self.latent_dim,
                "filters": self.filters,
                "spectral_norm": self.spectral_norm,
            }
        )
        return config

