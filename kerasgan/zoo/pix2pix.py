"""Pix2Pix: paired image-to-image translation with a conditional GAN (Isola et al. 2017, arXiv:1611.07004)."""
import numpy as np
import keras
import tensorflow as tf
from keras import ops

from kerasgan import gan, translation
from kerasgan.networks import patchgan, unet


@keras.saving.register_keras_serializable(package="kerasgan")
class Pix2Pix(gan.GAN):
    """A U-Net G(x) and a PatchGAN D(y | x), trained on (inputs, targets) pairs.

    G minimises the non-saturating cGAN loss plus l1_weight * |y - G(x)|_1 (the paper's
    equation 4, lambda = 100). There is no z: the U-Net's dropout is the noise (in training
    only, so that exports are deterministic). `translate(inputs)` runs G.
    The paper halves D's objective; under Adam, which normalises the gradient's scale,
    that changes nothing, so d_loss here is the plain sum of its real and fake terms.
    """

    extra_metric_names = ("adversarial_loss", "l1_loss")

    sampling_alternative = "translates images rather than sampling them: use translate(inputs)"
    image_parts = {0: "inputs", 1: "targets"}

    def __init__(
        self,
        input_shape=None,
        output_channels=None,
        l1_weight=100.0,
        filters=64,
        depth=None,
        dropout=0.5,
        discriminator_layers=None,
        label_smoothing=0.0,
        generator=None,
        discriminator=None,
        seed=None,
        **kwargs,
    ):
        input_shape, output_channels = _shapes(input_shape, output_channels, generator)
        if not l1_weight >= 0:
            raise ValueError(f"l1_weight must be >= 0, got {l1_weight!r}")
        if generator is None:
            generator = unet.build_unet(input_shape, output_channels, filters, depth, dropout)
        if discriminator is None:
            target_shape = tuple(input_shape[:2]) + (output_channels,)
            discriminator = patchgan.build_patchgan(
                target_shape, condition_shape=input_shape, filters=filters, layers=discriminator_layers
            )
        super().__init__(generator, discriminator, loss="non_saturating", label_smoothing=label_smoothing, seed=seed, **kwargs)
        self.input_shape = tuple(input_shape)
        self.output_channels = output_channels
        self.l1_weight = float(l1_weight)
        self.filters = filters
        self.depth = depth
        self.dropout = dropout
        self.discriminator_layers = discriminator_layers
        self.latent_dim = None  # no z: Pix2Pix maps images to images

    def _check_networks(self, generator, discriminator):
        gan.check_network("generator", generator)
        gan.check_network("discriminator", discriminator)
        made, takes = tuple(generator.outputs[0].shape[1:]), tuple(generator.inputs[0].shape[1:])
        judged = [tuple(i.shape[1:]) for i in discriminator.inputs]
        if len(generator.inputs) != 1 or len(made) != 3:
            raise ValueError(f"a Pix2Pix generator maps one image batch to another, got inputs {generator.inputs}")
        if judged != [made, takes]:
            raise ValueError(
                f"a Pix2Pix discriminator takes [target {made}, input {takes}] (the generator's output "
                f"and input shapes), got {judged}"
            )

    def default_generator_optimizer(self):
        """The paper's Adam(2e-4, beta_1=0.5)."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    # --- training ------------------------------------------------------------------------

    def fit(self, x=None, y=None, **kwargs):
        """keras.Model.fit on (inputs, targets): a dataset of pairs, or arrays x=inputs, y=targets."""
        if not isinstance(x, tf.data.Dataset) and x is not None and y is None:
            raise ValueError("Pix2Pix trains on pairs: pass fit(inputs, targets) or a dataset of (inputs, targets)")
        if y is not None:
            self._check_shapes((tuple(np.shape(x)[1:]), tuple(np.shape(y)[1:])))
        return super().fit(x, y, **kwargs)

    def _check_training_data(self, x):
        if not isinstance(x, tf.data.Dataset):
            return  # arrays are checked in fit, where the targets are seen too
        spec = x.element_spec
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
            raise ValueError(
                "Pix2Pix trains on (inputs, targets) batches but the dataset yields single images: "
                "load pairs with kerasgan.data.load(..., paired=True)"
            )
        self._check_shapes(tuple(tuple(s.shape[1:]) for s in spec))

    def _check_shapes(self, shapes):
        """Raises ValueError unless (inputs, targets) shapes, without the batch, are what this model takes."""
        expected = (self.input_shape, self.sample_shape)
        for shape, want, role in zip(shapes, expected, ("inputs", "targets")):
            if len(shape) != 3 or any(a not in (None, b) for a, b in zip(shape, want)):
                raise ValueError(
                    f"{role} come in batches of images of shape {shape} but this Pix2Pix takes {want}: "
                    "resize the data (image_size=...) or build the model for its shape"
                )

    def _split_batch(self, data):
        """(targets, (inputs,)): D judges targets conditioned on the inputs."""
        inputs, targets = data[0], data[1]
        return targets, (inputs,)

    def _training_latent(self, batch_size):
        return None

    def _generate(self, z, conditions, training=True):
        return self.generator(conditions[0], training=training)

    def train_step(self, data):
        """As the authors' code: G(x) once; D learns on it (detached), then G through the updated D."""
        targets, conditions = self._split_batch(data)
        with tf.GradientTape() as tape:
            fake = self._generate(None, conditions)
            with tape.stop_recording():
                logs = self._discriminator_update(targets, ops.stop_gradient(fake), conditions)
            g_loss, adversarial, l1 = self._generator_losses(targets, fake, conditions)
            scaled = self._scaled(g_loss, self.generator_optimizer)
        self._apply(tape, scaled, self.generator, self.generator_optimizer)
        return self._track(**logs, g_loss=g_loss, adversarial_loss=adversarial, l1_loss=l1)

    def _generator_losses(self, targets, fake, conditions, training=True):
        """(g_loss, adversarial, l1) of G's `fake` batch: the cGAN term plus l1_weight * L1."""
        adversarial = ops.mean(self.generator_loss(self._discriminate(fake, conditions, training)))
        l1 = ops.mean(ops.abs(targets - fake))
        return adversarial + self.l1_weight * l1, adversarial, l1

    def test_step(self, data):
        targets, conditions = self._split_batch(data)
        fake = self._generate(None, conditions, training=False)
        real_logits = self._discriminate(targets, conditions, training=False)
        fake_logits = self._discriminate(fake, conditions, training=False)
        g_loss, adversarial, l1 = self._generator_losses(targets, fake, conditions, training=False)
        return self._track(
            d_loss=ops.mean(self.discriminator_loss(real_logits, fake_logits)),
            g_loss=g_loss,
            adversarial_loss=adversarial,
            l1_loss=l1,
        )

    # --- inference -----------------------------------------------------------------------

    def translate(self, inputs, batch_size=32):
        """G(inputs): images in [-1, 1] of shape (N, H, W, output_channels) as a numpy array."""
        inputs = translation.check_images(inputs, self.input_shape, "inputs")
        return self.predict(inputs, batch_size=batch_size, verbose=0)

    def translation_rows(self, examples):
        """[inputs, G(inputs), targets] of a batch of (inputs, targets): the paper's figure columns."""
        inputs, targets = (np.asarray(part) for part in examples)
        return [inputs, self.translate(inputs), targets]

    def serving_endpoints(self):
        """`serving_default`: images in [-1, 1] -> images; `translate`: uint8 images -> uint8 images."""
        return translation.endpoints(self.generator, self.input_shape, "serving_default", "translate")

    def serving_examples(self, count, seed=0):
        return {"images": translation.uniform_images(count, self.input_shape, seed)}

    def get_config(self):
        config = super().get_config()
        for key in ("loss", "discriminator_steps", "penalty", "penalty_weight", "clip_value", "instance_noise", "unrolled_steps", "unrolled_learning_rate"):
            config.pop(key)
        config.update(
            {
                "input_shape": self.input_shape,
                "output_channels": self.output_channels,
                "l1_weight": self.l1_weight,
                "filters": self.filters,
                "depth": self.depth,
                "dropout": self.dropout,
                "discriminator_layers": self.discriminator_layers,
            }
        )
        return config


def _shapes(input_shape, output_channels, generator):
    """(input_shape, output_channels) as given, else read off a given generator."""
    if generator is not None:
        gan.check_network("generator", generator)
        input_shape = input_shape or tuple(int(d) for d in generator.inputs[0].shape[1:])
        output_channels = output_channels or int(generator.outputs[0].shape[-1])
    if input_shape is None:
        raise ValueError("Pix2Pix needs input_shape, e.g. Pix2Pix(input_shape=(32, 32, 1), output_channels=3)")
    input_shape = tuple(int(d) for d in input_shape)
    return input_shape, int(output_channels or input_shape[-1])
