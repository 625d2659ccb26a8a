"""VAE: variational autoencoder (Kingma & Welling 2014, arXiv:1312.6114)."""
import math

import keras
import tensorflow as tf
from keras import ops

from kerasgan import batches, gan, registry, sampling, translation
from kerasgan.adversarial import AdversarialModel
from kerasgan.networks import checks
from kerasgan.networks import dcgan as dcgan_networks
from kerasgan.networks import vae as networks
from kerasgan.registry import Flag

RECONSTRUCTIONS = ("bernoulli", "gaussian")


@registry.register("vae")
class VAE(sampling.LatentSampler, AdversarialModel):
    """An encoder q(z | x) and a decoder p(x | z) trained together by `fit` to maximize the ELBO.

    ELBO(x) = E_q[log p(x | z)] - KL(q(z | x) || N(0, I)), with z = mean + exp(log_variance / 2) * epsilon
    (the reparameterization trick, Kingma & Welling 2014, arXiv:1312.6114, section 2.4) and the KL in
    closed form (their appendix B). `fit` minimizes reconstruction + beta * KL per image; beta = 1 is
    the ELBO, beta > 1 the beta-VAE (Higgins et al. 2017). Images in [-1, 1] are read as pixel
    intensities in [0, 1]. Samples are decoder(z) with z ~ N(0, I): `generate`, the scores and the exports
    read the decoder as they read a GAN's generator.

    Args:
        image_shape: (height, width, channels); or read off a given decoder.
        latent_dim: length of z (default 100, or what a given decoder takes).
        filters: filters of the encoder's first convolution (the decoder mirrors it).
        dense_units: > 0 adds a hidden dense layer of this width to both networks (InfoGAN's FC 1024,
            the networks of Lucic et al. 2018); 0: none.
        reconstruction: -log p(x | z) summed over pixels: "bernoulli" (the decoder's output is each
            pixel's probability, the paper's MNIST model) or "gaussian" (a normal of mean the output and
            standard deviation `observation_std`, constant included).
        observation_std: the Gaussian's standard deviation, on intensities in [0, 1] (default 0.1).
        beta: weight of the KL term (1: the ELBO).
        encoder: image -> [mean, log_variance]; decoder: z -> image in [-1, 1] (networks of one's own).
        **kwargs: seed (of epsilon) and the keras.Model arguments.
    """

    cli_flags = (
        gan.LATENT_DIM, gan.FILTERS, gan.DENSE_UNITS,
        Flag("reconstruction", str, "VAE: -log p(x | z), bernoulli or gaussian; default bernoulli.", values=RECONSTRUCTIONS),
        Flag("observation_std", float, "VAE: std of the gaussian reconstruction, on [0, 1] intensities; default 0.1."),
        Flag("beta", float, "VAE: weight of the KL term; default 1 (the ELBO), > 1 a beta-VAE."),
    )

    def __init__(
        self, image_shape=None, latent_dim=None, filters=64, dense_units=0, reconstruction="bernoulli", observation_std=0.1,
        beta=1.0, encoder=None, decoder=None, seed=None, **kwargs,
    ):
        if reconstruction not in RECONSTRUCTIONS:
            raise ValueError(f"reconstruction must be 'bernoulli' or 'gaussian', got {reconstruction!r}")
        if not observation_std > 0:
            raise ValueError(f"observation_std must be > 0, got {observation_std!r}")
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0 (1: the ELBO), got {beta!r}")
        if image_shape is None and decoder is None:
            raise ValueError("VAE needs image_shape, e.g. VAE(image_shape=(28, 28, 1)), or a decoder")
        image_shape, latent_dim = checks.image_settings("VAE", image_shape, latent_dim, decoder)
        if decoder is None:
            decoder = dcgan_networks.build_generator(image_shape, latent_dim, filters, dense_units=dense_units, name="decoder")
        if encoder is None:
            encoder = networks.build_encoder(image_shape, latent_dim, filters, dense_units)
        _check_encoder(encoder, image_shape, latent_dim)
        super().__init__(seed=seed, **kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.image_shape = self.sample_shape = image_shape
        self.latent_dim = latent_dim
        self.filters, self.dense_units = filters, dense_units
        self.reconstruction = reconstruction
        self.observation_std = float(observation_std)
        self.beta = float(beta)
        self.track_metrics(generator=["loss", "reconstruction_loss", "kl_loss", "elbo"])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        return {"image_shape": gan.image_shape_of(cls.__name__, element_spec, flags)}

    def generator_networks(self):
        return [self.encoder, self.decoder]

    def discriminator_networks(self):
        return []  # nothing judges: the second optimizer has no variables

    def default_generator_optimizer(self):
        """Adam(1e-3) (Kingma & Ba 2015's default; the VAE paper used Adagrad)."""
        return keras.optimizers.Adam(learning_rate=1e-3)

    def compile(self, optimizer=None, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        """One optimizer for the encoder and the decoder: `optimizer` (or `generator_optimizer`, the same);
        default Adam(1e-3). The other arguments are AdversarialModel.compile's."""
        if optimizer is not None and generator_optimizer is not None:
            raise ValueError("optimizer and generator_optimizer are the same setting for a VAE: give one")
        super().compile(generator_optimizer=optimizer or generator_optimizer, discriminator_optimizer=discriminator_optimizer, **kwargs)

    def batch(self):
        """Images; the labels of a labelled dataset are ignored."""
        how = "batch the images, e.g. kerasgan.data.load(name, batch_size=64)"
        return batches.Batch("VAE", batches.Part("images", self.image_shape), how)

    # --- training ------------------------------------------------------------------------

    def train_step(self, data):
        images = data[0] if isinstance(data, (tuple, list)) else data
        with tf.GradientTape() as tape:
            logs = self.losses_of(images, training=True)
            scaled = self.scaled_loss(logs["loss"], self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator_networks(), self.generator_optimizer)
        return self.track(**logs)

    def test_step(self, data):
        images = data[0] if isinstance(data, (tuple, list)) else data
        return self.report(**self.losses_of(images, training=False))

    def losses_of(self, images, training=True):
        """Per-image means over the batch: loss (reconstruction + beta * KL), reconstruction_loss (-log p(x | z)
        at one z drawn from q(z | x)), kl_loss and elbo (-(reconstruction + KL), a one-sample estimate)."""
        mean, log_variance = self.encoder(images, training=training)
        epsilon = self.replica_draw(ops.shape(images)[0], (self.latent_dim,))
        z = mean + ops.exp(0.5 * log_variance) * epsilon
        reconstruction = ops.mean(self.negative_log_likelihood(images, self.decoder(z, training=training)))
        kl = ops.mean(0.5 * ops.sum(ops.exp(log_variance) + ops.square(mean) - 1.0 - log_variance, axis=-1))
        return {"loss": reconstruction + self.beta * kl, "reconstruction_loss": reconstruction, "kl_loss": kl,
                "elbo": -(reconstruction + kl)}

    def negative_log_likelihood(self, images, decoded):
        """-log p(x | z) of each image, summed over its pixels, both read as intensities in [0, 1]."""
        target = (ops.cast(images, "float32") + 1.0) / 2.0
        output = (ops.cast(decoded, "float32") + 1.0) / 2.0
        if self.reconstruction == "bernoulli":
            output = ops.clip(output, keras.config.epsilon(), 1.0 - keras.config.epsilon())
            per_pixel = -(target * ops.log(output) + (1.0 - target) * ops.log(1.0 - output))
        else:
            std = self.observation_std
            per_pixel = ops.square(target - output) / (2.0 * std**2) + math.log(std * math.sqrt(2.0 * math.pi))
        return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)

    # --- inference -------------------------------------------------------------------------

    def sampling_generator(self):
        return self.decoder

    def encode(self, images, batch_size=256):
        """(mean, log_variance) of q(z | x) for images in [-1, 1] of `image_shape`, as numpy arrays."""
        images = translation.check_images(images, self.image_shape, "images")
        mean, log_variance = self.encoder.predict(images, batch_size=batch_size, verbose=0)
        return mean, log_variance

    def decode(self, z, batch_size=256):
        """decoder(z): images in [-1, 1] for z of shape (N, latent_dim), as a numpy array."""
        z = ops.convert_to_numpy(z).astype("float32")
        if z.ndim != 2 or z.shape[-1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}), got {z.shape}")
        return self.decoder.predict(z, batch_size=batch_size, verbose=0)

    def reconstruct(self, images, batch_size=256):
        """decoder(mean of q(z | x)): the images as the VAE reconstructs them, in [-1, 1]."""
        return self.decode(self.encode(images, batch_size)[0], batch_size)

    # --- serialization -----------------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_shape": self.image_shape, "latent_dim": self.latent_dim, "filters": self.filters,
                "dense_units": self.dense_units, "reconstruction": self.reconstruction,
                "observation_std": self.observation_std, "beta": self.beta,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
            }
        )
        return config


def _check_encoder(encoder, image_shape, latent_dim):
    """Raises ValueError unless `encoder` maps images of `image_shape` to [mean, log_variance] of latent_dim."""
    checks.check_network("encoder", encoder)
    takes = tuple(int(d) for d in encoder.inputs[0].shape[1:])
    makes = [tuple(output.shape[1:]) for output in encoder.outputs]
    if takes != tuple(image_shape) or makes != [(latent_dim,), (latent_dim,)]:
        raise ValueError(
            f"a VAE encoder maps images of shape {tuple(image_shape)} to [mean, log_variance] of shape ({latent_dim},) "
            f"each; the given one maps {takes} to {makes}"
        )

