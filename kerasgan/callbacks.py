"""Keras callbacks for GAN training."""
import os

import keras
import tensorflow as tf

from kerasgan import plots


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG of fixed-seed samples after every `every` epochs, and to TensorBoard.

    The same latent vectors each time, so the grids show training progress; a conditional
    model draws one column per class. Files are `directory/epoch_<n>.png`; with `log_dir`,
    the grid is also an image summary there.
    """

    def __init__(self, directory, num_images=None, seed=0, every=1, log_dir=None, scale=2):
        super().__init__()
        if (num_images is not None and num_images < 1) or every < 1:
            raise ValueError(f"num_images and every must be >= 1, got {num_images} and {every}")
        self.directory = directory
        self.num_images = num_images
        self.seed = seed
        self.every = every
        self.log_dir = log_dir
        self.scale = scale
        self._writer = None
        self.last_path = None

    def on_train_begin(self, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        if self.log_dir is not None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        count, columns = plots.sample_layout(self.model, self.num_images)
        samples = self.model.generate(count, seed=self.seed)
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
