"""SNGAN with a projection discriminator: the class-conditional SNGAN (Miyato & Koyama 2018, arXiv:1802.05637)."""
from kerasgan import conditioning, gan, registry
from kerasgan.networks import checks
from kerasgan.networks import sngan as networks
from kerasgan.zoo import sngan


@registry.register("sngan_projection")
class SNGANProjection(conditioning.ClassConditional, sngan.SNGAN):
    """SNGAN's ResNets, loss and optimizer, conditioned on class labels y in [0, num_classes).

    The generator's block batch norms take a scale and an offset per class (conditional batch norm); the
    discriminator's logit is psi(phi(x)) + <embed(y), phi(x)>, phi(x) its pooled features and embed a
    spectrally normalized class embedding: the projection of Miyato & Koyama 2018 (their Fig. 1 (d)), where
    earlier conditional GANs joined the label to D's input (CGAN). Trained on (images, labels) batches;
    `generate(n, labels=...)` as CGAN's.

    Args:
        image_shape: (height, width, channels); or read off a given generator.
        num_classes: the number of labels (>= 2).
        latent_dim: length of z (default 128).
        filters: channels of D's blocks (128); G's blocks have twice as many.
        generator, discriminator: networks of one's own, each taking [x, labels].
        **kwargs: the options of `kerasgan.zoo.SNGAN` (loss, discriminator_steps, ema_decay, diff_augment, ...).
    """

    cli_flags = conditioning.FLAGS + (gan.LATENT_DIM, gan.FILTERS, conditioning.NUM_CLASSES)

    def __init__(
        self, image_shape=None, num_classes=None, latent_dim=None, filters=128, generator=None, discriminator=None, **kwargs
    ):
        conditioning.check_num_classes(num_classes)
        image_shape, latent_dim = checks.image_settings("SNGANProjection", image_shape, latent_dim, generator, default_latent_dim=128)
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, 2 * filters, num_classes=num_classes)
        if discriminator is None:
            discriminator = networks.build_discriminator(image_shape, filters, num_classes=num_classes)
        super().__init__(image_shape, latent_dim, filters, generator, discriminator, **kwargs)
        self.num_classes = num_classes
