"""Image-to-image translators: their base class, input checks and serving signatures."""
import numpy as np
import tensorflow as tf

from kerasgan import images as image_ops
from kerasgan.adversarial import AdversarialModel
from kerasgan.registry import Flag

DECAY_EPOCHS = Flag(
    "decay_epochs", int,
    "Translators: epochs of linear learning-rate decay at the end; default: the model's (half, or none).",
    builds=False,
)


class Translator(AdversarialModel):
    """A model that maps images of one domain to another (no z): trained on pairs of image batches.

    Subclasses define `translation_rows(examples)` (the rows of the picture `kerasgan train`
    draws), and what AdversarialModel asks for.

    Args:
        split_real_batch: accepted for model files of kerasgan 0.1.0; must be False (a GAN option).
        **kwargs: AdversarialModel's (seed, name, dtype).
    """

    sampling_alternative = "translates images rather than sampling them: use translate(inputs)"

    def __init__(self, split_real_batch=False, **kwargs):
        if split_real_batch:
            raise ValueError(f"{type(self).__name__} has its own training step: split_real_batch applies to the GAN family")
        super().__init__(**kwargs)

    def translation_rows(self, examples):
        """The rows of a picture of a batch of examples (inputs, outputs, ...)."""
        raise NotImplementedError

    # A translator with one generator and one discriminator (Pix2Pix, SRGAN, the context encoder) keeps these;
    # CycleGAN, with two of each, defines its own.
    def generator_networks(self):
        return [self.generator]

    def discriminator_networks(self):
        return [self.discriminator]

    def serving_networks(self):
        return [self.generator]

    def serving_examples(self, count, seed=0):
        """Uniform random images of the input shape."""
        return {"images": image_ops.uniform_images(count, self.input_shape, seed)}

    def training_callbacks(self, flags):
        """Linear learning-rate decay over the last --decay_epochs (the paper's schedule when `decays`)."""
        from kerasgan import callbacks

        if getattr(flags, "decay_epochs", None) or self.decays:
            return [callbacks.LinearDecay(flags.epochs, getattr(flags, "decay_epochs", None))]
        return []

    decays = False  # whether the paper decays the learning rate by default


def check_images(images, shape, role):
    """`images` as a float32 array of shape (N, *shape); ValueError naming `role` otherwise."""
    images = np.asarray(images, dtype="float32")
    if images.ndim == len(shape):
        images = images[np.newaxis]
    if tuple(images.shape[1:]) != tuple(shape):
        raise ValueError(f"{role} must be images of shape (N, {', '.join(map(str, shape))}) in [-1, 1], got {images.shape}")
    return images


def endpoints(network, input_shape, float_name, uint8_name):
    """Two signatures of one translating network: `float_name` maps `images` in [-1, 1] to
    `images`; `uint8_name` maps `images_uint8` to `images_uint8`, the REST-friendly form."""
    float_spec = tf.TensorSpec((None,) + tuple(input_shape), tf.float32, name="images")
    uint8_spec = tf.TensorSpec((None,) + tuple(input_shape), tf.uint8, name="images_uint8")

    def translate(images):
        return {"images": tf.cast(network(images, training=False), tf.float32)}

    def translate_uint8(images_uint8):
        return {"images_uint8": image_ops.to_uint8(network(image_ops.from_uint8(images_uint8), training=False))}

    return {float_name: (translate, [float_spec]), uint8_name: (translate_uint8, [uint8_spec])}
