"""Pix2Pix: paired image-to-image translation with a conditional GAN (Isola et al. 2017, arXiv:1611.07004)."""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import batches, losses, registry, translation
from kerasgan.networks import checks, patchgan, unet
from kerasgan.registry import Flag


@registry.register("pix2pix")
class Pix2Pix(translation.Translator):
    """A U-Net G(x) and a PatchGAN D(y | x), trained on (inputs, targets) pairs.

    G minimises adversarial_weight times the non-saturating cGAN loss plus l1_weight * |y - G(x)|_1
    (the paper's equation 4, lambda = 100). adversarial_weight=0 is the paper's "L1" ablation (its
    Table 1): the U-Net trained on L1 alone, with no D update. There is no z: the U-Net's dropout is the noise (in training
    only, so that exports are deterministic). `translate(inputs)` runs G.
    The paper halves D's objective; under Adam, which normalises the gradient's scale,
    that changes nothing, so d_loss here is the plain sum of its real and fake terms.

    Args:
        input_shape: (height, width, channels) of the inputs; or read off a given generator.
        output_channels: channels of the targets (default: the inputs').
        l1_weight: lambda of the L1 term.
        adversarial_weight: weight of the cGAN term (1, the paper's); 0 trains G on L1 alone and never updates D.
        filters: filters of the first convolution of both networks.
        depth: the U-Net's downsamplings (default: down to 1x1, at most 8).
        dropout: the U-Net decoder's dropout rate (0.5, the paper's).
        discriminator_layers: stride-2 blocks of the PatchGAN (default: the 70x70 PatchGAN's, fewer for small images).
        label_smoothing: one-sided label smoothing of D's real targets.
        generator, discriminator: networks of one's own (D takes [target, input]).
        **kwargs: seed and the keras.Model arguments.
    """

    cli_flags = (
        Flag("filters", int, "Filters of the networks' first convolution; default 64."),
        Flag("l1_weight", float, "Pix2Pix: weight of the L1 term; default 100."),
        Flag("adversarial_weight", float, "Pix2Pix: weight of the cGAN term; default 1; 0: L1 alone (the paper's L1 ablation)."),
        Flag("label_smoothing", float, "One-sided label smoothing: real targets become 1 - this."),
        Flag("dropout", float, "Dropout rate of the U-Net's decoder (Pix2Pix, default 0.5) or of DANN's heads (default 0)."),
        translation.DECAY_EPOCHS,
    )
    dataset_options = {"paired": True}

    def __init__(
        self, input_shape=None, output_channels=None, l1_weight=100.0, filters=64, depth=None, dropout=0.5,
        discriminator_layers=None, label_smoothing=0.0, adversarial_weight=1.0, generator=None, discriminator=None, **kwargs,
    ):
        input_shape, output_channels = _shapes(input_shape, output_channels, generator)
        if not l1_weight >= 0:
            raise ValueError(f"l1_weight must be >= 0, got {l1_weight!r}")
        if not adversarial_weight >= 0:
            raise ValueError(f"adversarial_weight must be >= 0 (0: L1 alone), got {adversarial_weight!r}")
        if generator is None:
            generator = unet.build_unet(input_shape, output_channels, filters, depth, dropout)
        if discriminator is None:
            target_shape = tuple(input_shape[:2]) + (output_channels,)
            discriminator = patchgan.build_patchgan(target_shape, condition_shape=input_shape, filters=filters, layers=discriminator_layers)
        _check_networks(generator, discriminator)
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.input_shape = tuple(input_shape)
        self.sample_shape = tuple(int(d) for d in generator.outputs[0].shape[1:])
        self.output_channels = output_channels
        self.l1_weight = float(l1_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.filters = filters
        self.depth = depth
        self.dropout = dropout
        self.discriminator_layers = discriminator_layers
        self.label_smoothing = float(label_smoothing)
        self.generator_loss, self.discriminator_loss = losses.get("non_saturating", self.label_smoothing)
        if self.adversarial_weight:
            self.track_metrics(generator=["g_loss", "adversarial_loss", "l1_loss"], discriminator=["d_loss"])
        else:
            self.track_metrics(generator=["g_loss", "l1_loss"])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        shapes = [tuple(spec.shape[1:]) for spec in (element_spec if isinstance(element_spec, tuple) else (element_spec,))]
        if len(shapes) != 2 or any(len(shape) != 3 for shape in shapes):
            raise ValueError(f"pix2pix trains on pairs of image batches; {flags.dataset} yields shapes {shapes}")
        return {"input_shape": shapes[0], "output_channels": shapes[1][-1]}

    def batch(self):
        parts = (batches.Part("inputs", self.input_shape), batches.Part("targets", self.sample_shape))
        return batches.Batch("Pix2Pix", parts, "load pairs with kerasgan.data.load(..., paired=True)")

    # --- training ------------------------------------------------------------------------

    def discriminate(self, targets, inputs, training=True):
        return self.discriminator([targets, inputs], training=training)

    def train_step(self, data):
        """As the authors' code: G(x) once; D learns on it (detached), then G through the updated D."""
        inputs, targets = data[0], data[1]
        logs = {}
        with tf.GradientTape() as tape:
            fake = self.generator(inputs, training=True)
            if self.adversarial_weight:
                with tape.stop_recording():
                    logs["d_loss"] = self.discriminator_update(inputs, targets, ops.stop_gradient(fake))
            logs.update(self.generator_losses(inputs, targets, fake))
            scaled = self.scaled_loss(logs["g_loss"], self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator, self.generator_optimizer)
        return self.track(**logs)

    def discriminator_update(self, inputs, targets, fake):
        """One update of D on real and fake targets given the inputs; returns its loss."""
        return self.minimize(lambda: self.discriminator_loss_of(inputs, targets, fake), self.discriminator, self.discriminator_optimizer)

    def discriminator_loss_of(self, inputs, targets, fake, training=True):
        """D's loss on real and fake targets given the inputs."""
        real_logits = self.discriminate(targets, inputs, training)
        fake_logits = self.discriminate(fake, inputs, training)
        return ops.mean(self.discriminator_loss(real_logits, fake_logits))

    def generator_losses(self, inputs, targets, fake, training=True):
        """G's losses on its `fake` batch: {g_loss, adversarial_loss, l1_loss}, g_loss = adversarial_weight * the cGAN
        term + l1_weight * L1; with adversarial_weight 0, only g_loss and l1_loss (D is not run)."""
        l1 = ops.mean(ops.abs(targets - fake))
        if not self.adversarial_weight:
            return {"g_loss": self.l1_weight * l1, "l1_loss": l1}
        adversarial = ops.mean(self.generator_loss(self.discriminate(fake, inputs, training)))
        return {"g_loss": self.adversarial_weight * adversarial + self.l1_weight * l1, "adversarial_loss": adversarial, "l1_loss": l1}

    def test_step(self, data):
        inputs, targets = data[0], data[1]
        fake = self.generator(inputs, training=False)
        logs = self.generator_losses(inputs, targets, fake, training=False)
        if self.adversarial_weight:
            logs["d_loss"] = self.discriminator_loss_of(inputs, targets, fake, training=False)
        return self.track(**logs)

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """L1, PSNR, SSIM and FID of the translations of held-out pairs (kerasgan.evaluation)."""
        from kerasgan import evaluation

        return evaluation.paired_translation_scores(self, dataset, split, num_images)

    # --- inference -----------------------------------------------------------------------

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

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

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_shape": self.input_shape,
                "output_channels": self.output_channels,
                "l1_weight": self.l1_weight,
                "adversarial_weight": self.adversarial_weight,
                "filters": self.filters,
                "depth": self.depth,
                "dropout": self.dropout,
                "discriminator_layers": self.discriminator_layers,
                "label_smoothing": self.label_smoothing,
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            }
        )
        return config


def _check_networks(generator, discriminator):
    """Raises ValueError unless G maps one image batch to another and D takes [target, input]."""
    checks.check_network("generator", generator)
    checks.check_network("discriminator", discriminator)
    made, takes = tuple(generator.outputs[0].shape[1:]), tuple(generator.inputs[0].shape[1:])
    judged = [tuple(i.shape[1:]) for i in discriminator.inputs]
    if len(generator.inputs) != 1 or len(made) != 3:
        raise ValueError(f"a Pix2Pix generator maps one image batch to another, got inputs {generator.inputs}")
    if judged != [made, takes]:
        raise ValueError(
            f"a Pix2Pix discriminator takes [target {made}, input {takes}] (the generator's output and input shapes), got {judged}"
        )


def _shapes(input_shape, output_channels, generator):
    """(input_shape, output_channels) as given, else read off a given generator."""
    if generator is not None:
        checks.check_network("generator", generator)
        input_shape = input_shape or tuple(int(d) for d in generator.inputs[0].shape[1:])
        output_channels = output_channels or int(generator.outputs[0].shape[-1])
    if input_shape is None:
        raise ValueError("Pix2Pix needs input_shape, e.g. Pix2Pix(input_shape=(32, 32, 1), output_channels=3)")
    input_shape = tuple(int(d) for d in input_shape)
    return input_shape, int(output_channels or input_shape[-1])
