"""Context encoder: image inpainting with a reconstruction and an adversarial loss (Pathak et al. 2016, arXiv:1604.07379)."""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import batches, images, losses, masks, registry, translation
from kerasgan.networks import checks, dcgan
from kerasgan.networks import context_encoder as networks
from kerasgan.registry import Flag


@registry.register("context_encoder")
class ContextEncoder(translation.Translator):
    """F fills the hole of an image from its surroundings; D tells real images from completed ones.

    A training image x gets a mask M (1 in the hole); F sees x with the hole blanked, (1 - M) * x, and M, and
    returns a whole image, of which only the hole is kept: the completion M * F + (1 - M) * x, so the known
    pixels are exactly the input's. F minimizes reconstruction_weight * L_rec + adversarial_weight * L_adv, with
    L_rec the mean squared error over the hole (each image's, then the batch mean) and L_adv the non-saturating
    loss of D on the completion; D minimizes the GAN loss on real images against completions (Pathak et al.'s
    joint loss lambda_rec * L_rec + lambda_adv * L_adv, with the weights 0.999 and 0.001 of the
    authors' released code). adversarial_weight=0 is their reconstruction-only context encoder ("L2 loss"), with
    no D update. `inpaint(images, masks)` completes images.

    Args:
        image_shape: (height, width, channels); or read off a given generator.
        mask: the training masks, "center" (the central square of half the sides) or "random" (one rectangle
            per image, sides 1/4 to 1/2 of the image's, anywhere): kerasgan.masks.
        reconstruction_weight, adversarial_weight: lambda_rec and lambda_adv.
        filters: filters of the first convolution of both networks.
        generator: a network of one's own taking [images, masks]; discriminator: one taking images.
        **kwargs: seed and the keras.Model arguments.
    """

    real_data_floor = False  # its scores hold their baseline
    cli_flags = (
        Flag("filters", int, "Filters of the networks' first convolution; default 64."),
        Flag("mask", str, "Context encoder: training masks, center or random (rectangles); default center.", values=masks.KINDS),
        Flag("reconstruction_weight", float, "Context encoder: weight of the masked L2 term; default 0.999."),
        Flag("adversarial_weight", float, "Pix2Pix, context encoder: weight of the adversarial term; 0: the reconstruction alone."),
    )

    def __init__(
        self, image_shape=None, mask="center", reconstruction_weight=0.999, adversarial_weight=0.001, filters=64,
        generator=None, discriminator=None, **kwargs,
    ):
        if generator is not None:
            checks.check_network("generator", generator)
            image_shape = image_shape or tuple(int(d) for d in generator.inputs[0].shape[1:])
        if image_shape is None:
            raise ValueError("ContextEncoder needs image_shape, e.g. ContextEncoder(image_shape=(28, 28, 1)), or a generator")
        image_shape = tuple(int(d) for d in image_shape)
        masks.check_kind(mask)
        for name, weight in (("reconstruction_weight", reconstruction_weight), ("adversarial_weight", adversarial_weight)):
            if not weight >= 0:
                raise ValueError(f"{name} must be >= 0, got {weight!r}")
        if generator is None:
            generator = networks.build_generator(image_shape, filters)
        if discriminator is None:
            discriminator = dcgan.build_discriminator(image_shape, filters)
        _check_networks(generator, discriminator, image_shape)
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.image_shape = self.input_shape = self.sample_shape = image_shape
        self.mask = mask
        self.reconstruction_weight = float(reconstruction_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.filters = filters
        self.generator_loss, self.discriminator_loss = losses.get("non_saturating")
        if self.adversarial_weight:
            self.track_metrics(generator=["g_loss", "adversarial_loss", "reconstruction_loss"], discriminator=["d_loss"])
        else:
            self.track_metrics(generator=["g_loss", "reconstruction_loss"])

    @classmethod
    def data_arguments(cls, element_spec, flags):
        spec = element_spec[0] if isinstance(element_spec, tuple) else element_spec
        if len(spec.shape) != 4:
            raise ValueError(f"context_encoder trains on batches of images; {flags.dataset} yields shape {tuple(spec.shape)}")
        return {"image_shape": tuple(spec.shape[1:])}

    def default_generator_optimizer(self):
        """Adam(2e-3, beta_1=0.5): ten times D's rate when both terms are weighted, as the authors' code
        (pathak22/context-encoder, train.lua) sets it; Adam(2e-4, 0.5) for the reconstruction alone."""
        rate = 2e-3 if self.adversarial_weight else 2e-4
        return keras.optimizers.Adam(learning_rate=rate, beta_1=0.5)

    def default_discriminator_optimizer(self):
        """Adam(2e-4, beta_1=0.5), DCGAN's."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def batch(self):
        """Images; the labels of a labelled dataset are ignored."""
        return batches.Batch("ContextEncoder", batches.Part("images", self.image_shape), "batch the images, e.g. kerasgan.data.load(name)")

    # --- training ------------------------------------------------------------------------

    def training_masks(self, count):
        """This replica's masks for a batch of `count` images (random ones from one global draw)."""
        height, width, _ = self.image_shape
        if self.mask == "center":
            return masks.center(count, height, width)
        return masks.random(self.replica_draw(count, (masks.DRAWS_PER_MASK,), keras.random.uniform), height, width)

    def complete(self, real, hole, training=True):
        """(F's whole output, the completion M * F + (1 - M) * x) for images `real` and masks `hole`."""
        hole = ops.cast(hole, real.dtype)
        filled = self.generator([real * (1.0 - hole), hole], training=training)
        return filled, hole * filled + (1.0 - hole) * real

    def train_step(self, data):
        """F once; D learns on the completion (detached), then F through the updated D."""
        real = data
        hole = self.training_masks(ops.shape(real)[0])
        logs = {}
        with tf.GradientTape() as tape:
            filled, completed = self.complete(real, hole)
            if self.adversarial_weight:
                with tape.stop_recording():
                    logs["d_loss"] = self.discriminator_update(real, ops.stop_gradient(completed))
            logs.update(self.generator_losses(real, hole, filled, completed))
            scaled = self.scaled_loss(logs["g_loss"], self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator, self.generator_optimizer)
        return self.track(**logs)

    def discriminator_update(self, real, completed):
        return self.minimize(lambda: self.discriminator_loss_of(real, completed), self.discriminator, self.discriminator_optimizer)

    def discriminator_loss_of(self, real, completed, training=True):
        real_logits = self.discriminator(real, training=training)
        fake_logits = self.discriminator(completed, training=training)
        return ops.mean(self.discriminator_loss(real_logits, fake_logits))

    def generator_losses(self, real, hole, filled, completed, training=True):
        """{g_loss, adversarial_loss, reconstruction_loss}: L_rec, each image's mean squared error over its hole, then
        the batch mean; with adversarial_weight 0, D is not run."""
        squared = ops.sum(hole * ops.square(filled - real), axis=(1, 2, 3))
        area = ops.sum(hole, axis=(1, 2, 3)) * self.image_shape[-1]
        reconstruction = ops.mean(squared / ops.maximum(area, 1.0))
        if not self.adversarial_weight:
            return {"g_loss": self.reconstruction_weight * reconstruction, "reconstruction_loss": reconstruction}
        adversarial = ops.mean(self.generator_loss(self.discriminator(completed, training=training)))
        g_loss = self.reconstruction_weight * reconstruction + self.adversarial_weight * adversarial
        return {"g_loss": g_loss, "adversarial_loss": adversarial, "reconstruction_loss": reconstruction}

    def test_step(self, data):
        real = data
        hole = self.training_masks(ops.shape(real)[0])
        filled, completed = self.complete(real, hole, training=False)
        logs = self.generator_losses(real, hole, filled, completed, training=False)
        if self.adversarial_weight:
            logs["d_loss"] = self.discriminator_loss_of(real, completed, training=False)
        return self.track(**logs)

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """L1 and PSNR over the holes of held-out images, beside filling each hole with its image's mean known pixel
        (kerasgan.evaluation.inpainting_scores)."""
        from kerasgan import evaluation

        return evaluation.inpainting_scores(self, dataset, split, num_images, seed)

    # --- inference -----------------------------------------------------------------------

    def masks_for(self, count, seed=0):
        """`count` masks of the kind the model trained with, as a float32 array (N, H, W, 1); random ones drawn from `seed`."""
        height, width, _ = self.image_shape
        if self.mask == "center":
            return np.asarray(masks.center(count, height, width))
        uniform = np.random.default_rng(seed).uniform(size=(count, masks.DRAWS_PER_MASK))
        return np.asarray(masks.random(uniform, height, width))

    def call(self, inputs, training=False):
        """[images, masks] -> the completions (what predict and the exports run)."""
        return self.complete(inputs[0], inputs[1], training=training)[1]

    def inpaint(self, images, masks=None, batch_size=32):
        """Completes `images` (N, H, W, C) in [-1, 1] where `masks` (N, H, W) or (N, H, W, 1), or one (H, W) mask
        for all, is 1; None: the model's training kind (the centre square, or random rectangles of seed 0).
        Pixels where the mask is 0 are returned unchanged."""
        images = translation.check_images(images, self.image_shape, "images")
        masks = self.masks_for(len(images)) if masks is None else check_masks(masks, images.shape)
        return self.predict([images, masks], batch_size=batch_size, verbose=0)

    def translation_rows(self, examples):
        """[the input with its hole grey, the completion, the original] of a batch of images."""
        real = np.asarray(examples[0])
        hole = self.masks_for(len(real))
        return [real * (1.0 - hole), self.inpaint(real, hole), real]

    def serving_endpoints(self):
        """`serving_default`: (images in [-1, 1], masks) -> completed images; `inpaint`: the same in uint8 (masks 0 or 1)."""
        height, width, channels = self.image_shape
        float_specs = [tf.TensorSpec((None, height, width, channels), tf.float32, name="images"),
                       tf.TensorSpec((None, height, width, 1), tf.float32, name="masks")]
        uint8_specs = [tf.TensorSpec((None, height, width, channels), tf.uint8, name="images_uint8"),
                       tf.TensorSpec((None, height, width, 1), tf.uint8, name="masks_uint8")]

        def serving_default(images, masks):
            return {"images": tf.cast(self.complete(images, masks, training=False)[1], tf.float32)}

        def inpaint(images_uint8, masks_uint8):
            completed = self.complete(images.from_uint8(images_uint8), tf.cast(masks_uint8, tf.float32), training=False)[1]
            return {"images_uint8": images.to_uint8(completed)}

        return {"serving_default": (serving_default, float_specs), "inpaint": (inpaint, uint8_specs)}

    def serving_examples(self, count, seed=0):
        return {"images": images.uniform_images(count, self.image_shape, seed), "masks": self.masks_for(count, seed)}

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_shape": self.image_shape,
                "mask": self.mask,
                "reconstruction_weight": self.reconstruction_weight,
                "adversarial_weight": self.adversarial_weight,
                "filters": self.filters,
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            }
        )
        return config


def check_masks(hole, shape):
    """`hole` as float32 masks (N, H, W, 1) of 0 and 1 for images of `shape` (N, H, W, C); ValueError otherwise."""
    count, height, width, _ = shape
    hole = np.asarray(hole, dtype="float32")
    if hole.shape == (height, width):
        hole = np.broadcast_to(hole, (count, height, width))
    if hole.shape == (count, height, width):
        hole = hole[..., np.newaxis]
    if hole.shape != (count, height, width, 1):
        raise ValueError(
            f"masks must have shape ({count}, {height}, {width}), ({count}, {height}, {width}, 1) or ({height}, {width}) "
            f"(1 where the image is missing) for images of shape {tuple(shape)}, got {hole.shape}"
        )
    if not np.all((hole == 0) | (hole == 1)):
        raise ValueError("masks must hold only 0 (known pixel) and 1 (missing pixel)")
    return np.ascontiguousarray(hole)


def _check_networks(generator, discriminator, image_shape):
    """Raises ValueError unless G maps [images, masks] to images of `image_shape` and D takes them."""
    checks.check_network("generator", generator)
    checks.check_network("discriminator", discriminator)
    taken = [tuple(i.shape[1:]) for i in generator.inputs]
    if taken != [image_shape, image_shape[:2] + (1,)] or tuple(generator.outputs[0].shape[1:]) != image_shape:
        raise ValueError(
            f"a ContextEncoder generator maps [images {image_shape}, masks {image_shape[:2] + (1,)}] to images {image_shape}, "
            f"got inputs {taken} and output {tuple(generator.outputs[0].shape[1:])}"
        )
    if tuple(discriminator.inputs[0].shape[1:]) != image_shape or len(discriminator.inputs) != 1:
        raise ValueError(f"a ContextEncoder discriminator takes images of shape {image_shape}, got {discriminator.inputs}")
