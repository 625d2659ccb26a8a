"""Sampling from z: what every model that maps a latent vector to samples offers its users and exports.

`LatentSampler` holds `generate`, `sample_latent`, `call`, the quality scores and the serving protocol
(`serving_default`: z -> images; `generate`: (num_images, seed) -> uint8 images) for any model whose
`sampling_generator()` maps z of length `latent_dim` to samples of `sample_shape`: the GANs
(kerasgan.gan) and the VAE's decoder (kerasgan.zoo.vae).
"""
import keras
import numpy as np
import tensorflow as tf

from kerasgan import images


class LatentSampler:
    """Mixed in before `AdversarialModel`: the class defines `latent_dim`, `sample_shape` and `sampling_generator()`."""

    conditional = False  # True: the networks take [x, labels] (a conditional GAN)

    def sampling_generator(self):
        """The network that maps z to samples."""
        raise NotImplementedError

    # --- quality -----------------------------------------------------------------------------

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """FID, KID, precision and recall for images; mode coverage for 2-D points (kerasgan.evaluation)."""
        from kerasgan import evaluation

        if len(self.sample_shape) == 1:
            return evaluation.mixture_scores(self, dataset, num_images, seed)
        return evaluation.image_scores(self, dataset, split, num_images, seed, feature_extractor)

    def extra_scores(self, real, fake):
        """A variant's own quality measures of samples `fake` against `real()` (an ensemble's profile, say); none here."""
        return {}

    # --- inference -------------------------------------------------------------------------

    def call(self, z, training=False):
        """Generator inference: `model(z)`, `predict` and exports act on the sampling generator."""
        return self.sampling_generator()(z, training=training)

    def sample_latent(self, batch_size, seed=None):
        """Draws z ~ N(0, I) of shape (batch_size, latent_dim); an int seed makes it repeatable."""
        return keras.random.normal((batch_size, self.latent_dim), seed=seed)

    def generate(self, num_images, seed=None, batch_size=256, **conditions):
        """Returns `num_images` samples in [-1, 1] as a numpy array; the same seed, the same samples."""
        if isinstance(num_images, bool) or not isinstance(num_images, (int, np.integer)) or num_images < 1:
            raise ValueError(f"num_images must be a positive integer, got {num_images!r}")
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31 - 1))
        z = self.sample_latent(int(num_images), seed=int(seed))
        return self.predict(self.generation_inputs(z, **conditions), batch_size=batch_size, verbose=0)

    def generation_inputs(self, z, **conditions):
        """The generator's inputs for `generate`; conditional variants add their labels."""
        if conditions:
            raise TypeError(f"{type(self).__name__} is unconditional: generate() takes no {', '.join(conditions)}")
        return z

    # --- serving -------------------------------------------------------------------------------

    def serving_endpoints(self):
        """What exports serve: signature name -> (function of named tensors, their TensorSpecs).

        `serving_default`: z -> images in [-1, 1] (the only one TFLite takes: no random ops);
        `generate`: (num_images, seed) -> uint8 images, z drawn in the graph exactly as
        `generate(num_images, seed)` draws it.
        """
        z_spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        count_spec = tf.TensorSpec([], tf.int32, name="num_images")
        seed_spec = tf.TensorSpec([], tf.int64, name="seed")

        def serving_default(z):
            return {"images": tf.cast(self.sampling_generator()(z, training=False), tf.float32)}

        def generate(num_images, seed):
            z = tf.random.stateless_normal([num_images, self.latent_dim], seed=tf.stack([seed, tf.zeros_like(seed)]))
            return {"images_uint8": images.to_uint8(self.sampling_generator()(z, training=False))}

        return {"serving_default": (serving_default, [z_spec]), "generate": (generate, [count_spec, seed_spec])}

    def serving_networks(self):
        return [self.sampling_generator()]

    def serving_examples(self, count, seed=0):
        """Inputs of `serving_default`: {"z": (count, latent_dim)}."""
        return {"z": np.asarray(self.sample_latent(count, seed=seed))}
