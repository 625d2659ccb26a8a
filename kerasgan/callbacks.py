"""Keras callbacks for GAN training."""
import os

import keras
import tensorflow as tf

from kerasgan import plots


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG of fixed-seed samples after every `every` epochs, and to TensorBoard.

    The same latent vectors each time, so the grids show training progress; a conditional
    model draws one column per class. A translator (Pix2Pix, CycleGAN) instead translates
    the fixed batch `examples` ((inputs, targets) or (images_a, images_b)), one row per
    example. Files are `directory/epoch_<n>.png`; with `log_dir`, the grid is also an
    image summary there.
    """

    def __init__(self, directory, num_images=None, seed=0, every=1, log_dir=None, scale=2, examples=None):
        super().__init__()
        if (num_images is not None and num_images < 1) or every < 1:
            raise ValueError(f"num_images and every must be >= 1, got {num_images} and {every}")
        self.directory = directory
        self.num_images = num_images
        self.seed = seed
        self.every = every
        self.log_dir = log_dir
        self.scale = scale
        self.examples = examples
        self._writer = None
        self.last_path = None

    def on_train_begin(self, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        if self.log_dir is not None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        samples, columns = plots.picture(self.model, self.num_images, self.seed, self.examples)
        self.last_path = plots.save_samples(
            samples, os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), scale=self.scale, columns=columns
        )
        if self._writer is not None and samples.ndim == 4:
            grid = plots.image_grid(samples, columns)
            grid = grid[..., None] if grid.ndim == 2 else grid
            with self._writer.as_default():
                tf.summary.image("samples", grid[None], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class LinearDecay(keras.callbacks.Callback):
    """CycleGAN's schedule: every optimizer keeps its learning rate for the first
    `epochs - decay_epochs` epochs, then decays it linearly towards zero over the last
    `decay_epochs` (Zhu et al. 2017, arXiv:1703.10593, section 4; default: half of `epochs`).

    The starting rates are read from the optimizers when training begins; pass
    `learning_rate` when resuming a run whose rates have already decayed.
    """

    def __init__(self, epochs, decay_epochs=None, learning_rate=None):
        super().__init__()
        decay_epochs = epochs // 2 if decay_epochs is None else decay_epochs
        if not 0 < decay_epochs <= epochs:
            raise ValueError(f"decay_epochs must be in [1, epochs={epochs}], got {decay_epochs}")
        self.epochs = epochs
        self.decay_epochs = decay_epochs
        self.learning_rate = learning_rate
        self._initial = None

    def _optimizers(self):
        return [self.model.generator_optimizer, self.model.discriminator_optimizer]

    def on_train_begin(self, logs=None):
        self._initial = [
            float(self.learning_rate if self.learning_rate is not None else optimizer.learning_rate)
            for optimizer in self._optimizers()
        ]

    def factor(self, epoch):
        """The multiplier of the starting rate in epoch `epoch` (0-based): the authors' rule,
        1 - max(0, epoch + 1 - constant epochs) / (decay_epochs + 1)."""
        return 1.0 - max(0, epoch + 1 - (self.epochs - self.decay_epochs)) / (self.decay_epochs + 1)

    def on_epoch_begin(self, epoch, logs=None):
        for optimizer, initial in zip(self._optimizers(), self._initial):
            optimizer.learning_rate = initial * self.factor(epoch)
