"""SRGAN: photo-realistic single-image super-resolution with a GAN (Ledig et al. 2017, arXiv:1609.04802)."""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import batches, losses, registry, translation
from kerasgan.networks import checks
from kerasgan.networks import srgan as networks
from kerasgan.registry import Flag

CONTENT_LOSSES = ("inception", "mse")


@registry.register("srgan")
class SRGAN(translation.Translator):
    """G upscales low-resolution images `upscale_factor` times; D tells real high-resolution images from G's.

    G minimizes content_weight * l_content + adversarial_weight * l_adv (the paper's perceptual loss, with 1 and
    1e-3): l_adv is the non-saturating loss of D on G's images, and
    l_content either the mean squared error between the feature maps of a frozen pretrained network on G's image
    and on the original ("inception": the FID Inception's first three convolutions, where the paper uses VGG19's
    features, which no installed package ships) or the pixel mean squared error ("mse"). content="mse" with
    adversarial_weight=0 is SRResNet, the paper's baseline trained on pixels alone; D is then never updated.
    `upscale(images)` runs G.

    Args:
        input_shape: (height, width, channels) of the low-resolution images; or read off a given generator.
        upscale_factor: how many times G enlarges each side: 4 (the paper's), or another power of 2.
        content: "inception" or "mse".
        content_weight, adversarial_weight: the weights of the two terms.
        filters: G's channels (64) and D's first convolution's (64).
        residual_blocks: G's residual blocks (16, the paper's).
        bilinear_skip: G adds its output to the input upsampled bilinearly and clips (global residual learning,
            Kim et al. 2016); False: the paper's G, whose tanh output starts from nothing.
        generator, discriminator: networks of one's own (G: low-resolution -> high-resolution images; D: high ->
            logits).
        **kwargs: seed and the keras.Model arguments.
    """

    real_data_floor = False  # its scores hold their baseline
    cli_flags = (
        Flag("filters", int, "Filters of the networks' first convolution; default 64."),
        Flag("upscale_factor", int, "SRGAN: how many times G enlarges each side, a power of 2; default 4."),
        Flag("content", str, "SRGAN: content loss, inception (features) or mse (pixels); default inception.", values=CONTENT_LOSSES),
        Flag("content_weight", float, "SRGAN: weight of the content loss; default 1."),
        Flag("adversarial_weight", float, "Pix2Pix, SRGAN, context encoder: weight of the adversarial term; 0: none."),
        Flag("residual_blocks", int, "Residual blocks of the generator (CycleGAN: default by image size; SRGAN: 16)."),
        Flag("bilinear_skip", bool, "SRGAN: G adds its output to the input upsampled bilinearly; default: no (the paper's G)."),
    )
    dataset_options = {"paired": True}

    def __init__(
        self, input_shape=None, upscale_factor=4, content="inception", content_weight=1.0, adversarial_weight=1e-3,
        filters=64, residual_blocks=16, bilinear_skip=False, generator=None, discriminator=None, **kwargs,
    ):
        if generator is not None:
            checks.check_network("generator", generator)
            input_shape = input_shape or tuple(int(d) for d in generator.inputs[0].shape[1:])
        if input_shape is None:
            raise ValueError("SRGAN needs input_shape, the low-resolution images', e.g. SRGAN(input_shape=(16, 16, 3))")
        input_shape = tuple(int(d) for d in input_shape)
        networks.check_factor(upscale_factor)
        if content not in CONTENT_LOSSES:
            raise ValueError(f"content must be one of {', '.join(CONTENT_LOSSES)}, got {content!r}")
        for name, weight in (("content_weight", content_weight), ("adversarial_weight", adversarial_weight)):
            if not weight >= 0:
                raise ValueError(f"{name} must be >= 0, got {weight!r}")
        output_shape = (input_shape[0] * upscale_factor, input_shape[1] * upscale_factor, input_shape[2])
        if generator is None:
            generator = networks.build_generator(input_shape, upscale_factor, filters, residual_blocks, bilinear_skip)
        if discriminator is None:
            discriminator = networks.build_discriminator(output_shape, filters)
        _check_networks(generator, discriminator, input_shape, output_shape)
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.input_shape = input_shape
        self.sample_shape = output_shape
        self.upscale_factor = upscale_factor
        self.content = content
        self.content_weight = float(content_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.filters = filters
        self.residual_blocks = residual_blocks
        self.bilinear_skip = bool(bilinear_skip)
        # Not an attribute Keras tracks: the frozen content network is rebuilt from the packaged Inception, never
        # saved with the model nor counted in its weights.
        content_network = networks.build_content_network(input_shape[-1]) if content == "inception" else None
        object.__setattr__(self, "content_network", content_network)
        self.generator_loss, self.discriminator_loss = losses.get("non_saturating")
        if self.adversarial_weight:
            self.track_metrics(generator=["g_loss", "adversarial_loss", "content_loss"], discriminator=["d_loss"])
        else:
            self.track_metrics(generator=["g_loss", "content_loss"])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        shapes = [tuple(spec.shape[1:]) for spec in (element_spec if isinstance(element_spec, tuple) else (element_spec,))]
        if len(shapes) != 2 or any(len(shape) != 3 for shape in shapes):
            raise ValueError(f"srgan trains on (low-resolution, high-resolution) image pairs; {flags.dataset} yields shapes {shapes}")
        (low, _, _), (high, _, _) = shapes
        if high % low:
            raise ValueError(f"srgan needs pairs whose high-resolution side is a multiple of the low one's; {flags.dataset} gives {shapes}")
        return {"input_shape": shapes[0], "upscale_factor": high // low}

    def default_generator_optimizer(self):
        """Adam(1e-4, beta_1=0.9), the paper's for both networks."""
        return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.9)

    def batch(self):
        parts = (batches.Part("low-resolution images", self.input_shape), batches.Part("high-resolution images", self.sample_shape))
        return batches.Batch("SRGAN", parts, "load pairs with kerasgan.data.load('super_resolution', paired=True)")

    # --- training ------------------------------------------------------------------------

    def train_step(self, data):
        """G once; D learns on its images (detached), then G through the updated D."""
        low, high = data[0], data[1]
        logs = {}
        with tf.GradientTape() as tape:
            upscaled = self.generator(low, training=True)
            if self.adversarial_weight:
                with tape.stop_recording():
                    logs["d_loss"] = self.discriminator_update(high, ops.stop_gradient(upscaled))
            logs.update(self.generator_losses(high, upscaled))
            scaled = self.scaled_loss(logs["g_loss"], self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator, self.generator_optimizer)
        return self.track(**logs)

    def discriminator_update(self, high, upscaled):
        return self.minimize(lambda: self.discriminator_loss_of(high, upscaled), self.discriminator, self.discriminator_optimizer)

    def discriminator_loss_of(self, high, upscaled, training=True):
        real_logits = self.discriminator(high, training=training)
        fake_logits = self.discriminator(upscaled, training=training)
        return ops.mean(self.discriminator_loss(real_logits, fake_logits))

    def content_loss(self, high, upscaled):
        """The mean squared error of the content network's features (or of the pixels, content="mse")."""
        if self.content_network is None:
            return ops.mean(ops.square(ops.cast(upscaled, "float32") - ops.cast(high, "float32")))
        features = self.content_network(ops.concatenate([high, upscaled], axis=0))
        count = ops.shape(high)[0]
        return ops.mean(ops.square(features[count:] - features[:count]))

    def generator_losses(self, high, upscaled, training=True):
        """{g_loss, adversarial_loss, content_loss}; with adversarial_weight 0, D is not run."""
        content = self.content_loss(high, upscaled)
        if not self.adversarial_weight:
            return {"g_loss": self.content_weight * content, "content_loss": content}
        adversarial = ops.mean(self.generator_loss(self.discriminator(upscaled, training=training)))
        g_loss = self.content_weight * content + self.adversarial_weight * adversarial
        return {"g_loss": g_loss, "adversarial_loss": adversarial, "content_loss": content}

    def test_step(self, data):
        low, high = data[0], data[1]
        upscaled = self.generator(low, training=False)
        logs = self.generator_losses(high, upscaled, training=False)
        if self.adversarial_weight:
            logs["d_loss"] = self.discriminator_loss_of(high, upscaled, training=False)
        return self.track(**logs)

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """PSNR, SSIM and FID of the upscaled held-out images against their originals, beside bicubic upscaling
        (kerasgan.evaluation.super_resolution_scores)."""
        from kerasgan import evaluation

        return evaluation.super_resolution_scores(self, dataset, split, num_images)

    # --- inference -----------------------------------------------------------------------

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def upscale(self, images, batch_size=32):
        """G(images): low-resolution images (N, h, w, c) in [-1, 1] -> (N, factor*h, factor*w, c) as a numpy array."""
        images = translation.check_images(images, self.input_shape, f"images to upscale {self.upscale_factor}x")
        return self.predict(images, batch_size=batch_size, verbose=0)

    def translation_rows(self, examples):
        """[bicubic upscaling, G's, the original] of a batch of (low, high) pairs: the paper's figure columns."""
        low, high = (np.asarray(part) for part in examples)
        return [bicubic(low, self.upscale_factor), self.upscale(low), high]

    def serving_endpoints(self):
        """`serving_default`: images in [-1, 1] -> upscaled images; `upscale`: uint8 images -> uint8 images."""
        return translation.endpoints(self.generator, self.input_shape, "serving_default", "upscale")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_shape": self.input_shape,
                "upscale_factor": self.upscale_factor,
                "content": self.content,
                "content_weight": self.content_weight,
                "adversarial_weight": self.adversarial_weight,
                "filters": self.filters,
                "residual_blocks": self.residual_blocks,
                "bilinear_skip": self.bilinear_skip,
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            }
        )
        return config


def bicubic(low, factor):
    """Bicubic upscaling of images in [-1, 1] by `factor`, clipped to [-1, 1]: the baseline of the paper's tables."""
    low = np.asarray(low, dtype="float32")
    size = (low.shape[1] * factor, low.shape[2] * factor)
    return np.clip(tf.image.resize(low, size, method="bicubic").numpy(), -1.0, 1.0)


def _check_networks(generator, discriminator, input_shape, output_shape):
    checks.check_network("generator", generator)
    checks.check_network("discriminator", discriminator)
    taken, made = tuple(generator.inputs[0].shape[1:]), tuple(generator.outputs[0].shape[1:])
    if (taken, made) != (input_shape, output_shape):
        raise ValueError(f"an SRGAN generator maps images {input_shape} to {output_shape}, got {taken} -> {made}")
    if tuple(discriminator.inputs[0].shape[1:]) != output_shape:
        raise ValueError(f"an SRGAN discriminator takes images of shape {output_shape}, got {tuple(discriminator.inputs[0].shape[1:])}")
