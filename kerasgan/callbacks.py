"""Keras callbacks for GAN training."""
import math
import os

import keras
import tensorflow as tf

from kerasgan import distribute, evaluation, plots

SAMPLE_STEPS = 200  # the default cadence: a grid about every this many steps, however short an epoch is


def epochs_between(steps_per_epoch, every_steps=SAMPLE_STEPS):
    """How many epochs make about `every_steps` steps (at least 1; 1 when the epoch's length is unknown): the default
    cadence of the per-epoch callbacks."""
    return max(1, math.ceil(every_steps / steps_per_epoch)) if steps_per_epoch else 1


def is_due(epoch, every, params, stopped=False):
    """Whether a callback run every `every` epochs is due at the end of `epoch` (0-based): every `every`-th
    epoch and the last one of `fit`, never an epoch after which training was stopped (cut short by a divergence)."""
    if stopped:
        return False
    return (epoch + 1) % every == 0 or epoch + 1 >= (params or {}).get("epochs", math.inf)


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG of fixed-seed samples every `every` epochs and after the last one, and to TensorBoard.

    The same latent vectors each time, so the grids show training progress; a conditional
    model draws one column per class. A translator (Pix2Pix, CycleGAN) instead translates
    the fixed batch `examples` ((inputs, targets) or (images_a, images_b)), one row per
    example. Files are `directory/epoch_<n>.png`; with `log_dir`, the grid is also an
    image summary there. `every=None` draws about every SAMPLE_STEPS (200) steps: every
    epoch of a large dataset, every 50th of a 4-batch one (`epochs_between`). Under
    MultiWorkerMirroredStrategy every worker draws the grid (it is a distributed predict) and
    only the chief writes it. An epoch after which training stops (a divergence guard
    tripped, say) is not drawn.
    """

    def __init__(self, directory, num_images=None, seed=0, every=None, log_dir=None, scale=2, examples=None):
        super().__init__()
        if (num_images is not None and num_images < 1) or (every is not None and every < 1):
            raise ValueError(f"num_images and every must be >= 1, got {num_images} and {every}")
        self.directory = directory
        self.num_images = num_images
        self.seed = seed
        self.every = every
        self.log_dir = log_dir
        self.scale = scale
        self.examples = examples
        self._writer = None
        self._chief = True
        self._every = every
        self.last_path = None

    def on_train_begin(self, logs=None):
        self._every = self.every or epochs_between((self.params or {}).get("steps"))
        self._chief = distribute.is_chief(getattr(self.model, "distribute_strategy", None))
        if not self._chief:
            return
        os.makedirs(self.directory, exist_ok=True)
        if self.log_dir is not None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if not is_due(epoch, self._every, self.params, self.model.stop_training):
            return
        samples, columns = plots.picture(self.model, self.num_images, self.seed, self.examples)
        if not self._chief:
            return
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


class QualityMetrics(keras.callbacks.Callback):
    """Scores the model on `dataset` every `every` epochs and after the last one (kerasgan.evaluation):
    FD, KID, precision and recall for image GANs, mode coverage, translation or target-accuracy scores.

    The scores go into that epoch's logs as `quality_<name>`, so `fit`'s History holds them (one
    value per scored epoch: `self.epochs` says which), and under `log_dir`/quality to TensorBoard.
    Under MultiWorkerMirroredStrategy every worker scores (sampling is a collective
    computation) and only the chief writes TensorBoard. An epoch after which training stops is not scored.
    """

    def __init__(self, dataset, every=5, split="test", num_images=500, seed=0, feature_extractor=None, log_dir=None):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive number of epochs, got {every!r}")
        self.dataset, self.every, self.split = dataset, every, split
        self.num_images, self.seed, self.feature_extractor, self.log_dir = num_images, seed, feature_extractor, log_dir
        self.epochs, self._writer = [], None

    def on_train_begin(self, logs=None):
        chief = distribute.is_chief(getattr(self.model, "distribute_strategy", None))
        if self.log_dir and chief:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "quality"))

    def on_epoch_end(self, epoch, logs=None):
        if not is_due(epoch, self.every, self.params, self.model.stop_training):
            return
        scores = evaluation.evaluate(
            self.model, self.dataset, split=self.split, num_images=self.num_images, seed=self.seed,
            feature_extractor=self.feature_extractor,
        )
        scores = {f"quality_{name}": float(value) for name, value in scores.items() if name not in ("examples", "num_modes")}
        self.epochs.append(epoch + 1)
        if logs is not None:
            logs.update(scores)
        if self._writer is not None:
            with self._writer.as_default():
                for name, value in scores.items():
                    tf.summary.scalar(name, value, step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class LinearDecay(keras.callbacks.Callback):
    """CycleGAN's schedule: every optimizer keeps its learning rate for the first
    `epochs - decay_epochs` epochs, then decays it linearly towards zero over the last
    `decay_epochs` (Zhu et al. 2017, arXiv:1703.10593, section 4; default: half of `epochs`, at least 1).

    The starting rates are read from the optimizers when training begins; pass
    `learning_rate` when resuming a run whose rates have already decayed.
    """

    def __init__(self, epochs, decay_epochs=None, learning_rate=None):
        super().__init__()
        decay_epochs = max(1, epochs // 2) if decay_epochs is None else decay_epochs
        if not 0 < decay_epochs <= epochs:
            raise ValueError(f"decay_epochs must be in [1, epochs={epochs}], got {decay_epochs}")
        self.epochs = epochs
        self.decay_epochs = decay_epochs
        self.learning_rate = learning_rate
        self._initial = None

    def on_train_begin(self, logs=None):
        _start_rates(self, self.learning_rate)

    def factor(self, epoch):
        """The multiplier of the starting rate in epoch `epoch` (0-based): the authors' rule,
        1 - max(0, epoch + 1 - constant epochs) / (decay_epochs + 1)."""
        return 1.0 - max(0, epoch + 1 - (self.epochs - self.decay_epochs)) / (self.decay_epochs + 1)

    def on_epoch_begin(self, epoch, logs=None):
        _scale_rates(self, self.factor(epoch))


def _start_rates(callback, learning_rate=None):
    """Records the starting rate of each of the model's two optimizers (or `learning_rate` for both)."""
    optimizers = [callback.model.generator_optimizer, callback.model.discriminator_optimizer]
    # convert_to_numpy: under a strategy the rate is a MirroredVariable, which float() refuses.
    rates = [learning_rate if learning_rate is not None else keras.ops.convert_to_numpy(o.learning_rate) for o in optimizers]
    callback._initial = [float(rate) for rate in rates]


def _scale_rates(callback, factor):
    """Sets each of the model's two optimizers to its starting rate times `factor`."""
    optimizers = [callback.model.generator_optimizer, callback.model.discriminator_optimizer]
    for optimizer, initial in zip(optimizers, callback._initial):
        optimizer.learning_rate = initial * factor


class _Progress(keras.callbacks.Callback):
    """Training progress p in [0, 1] at each batch: batches done over `epochs * steps` of this fit."""

    def on_train_begin(self, logs=None):
        steps, epochs = self.params.get("steps"), self.params.get("epochs")
        if not steps or not epochs:
            raise ValueError(
                f"{type(self).__name__} needs the number of steps per epoch: use a dataset of known size "
                "or pass steps_per_epoch to fit"
            )
        self._total, self._epoch = steps * epochs, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def progress(self, batch):
        return min(1.0, (self._epoch * self.params["steps"] + batch) / self._total)


class ReversalSchedule(_Progress):
    """DANN's lambda_p = max_strength * (2 / (1 + exp(-gamma p)) - 1), set on the model's
    gradient reversal layer before every batch (Ganin et al. 2016, arXiv:1505.07818, section 5.2.2).

    The paper's max_strength is 1; on the moons kerasgan's benchmark adapted only with a stronger
    reversal (3), so it is settable.
    """

    def __init__(self, gamma=10.0, max_strength=1.0):
        super().__init__()
        self.gamma = gamma
        self.max_strength = max_strength

    def strength(self, progress):
        return self.max_strength * (2.0 / (1.0 + math.exp(-self.gamma * progress)) - 1.0)

    def on_train_batch_begin(self, batch, logs=None):
        self.model.gradient_reversal.strength.assign(self.strength(self.progress(batch)))


class AnnealedLearningRate(_Progress):
    """DANN's mu_p = mu_0 / (1 + alpha p)^beta on every optimizer of the model, before every batch
    (Ganin et al. 2016, section 5.2.2: alpha = 10, beta = 0.75).

    mu_0 is each optimizer's rate when training begins, or `learning_rate` when given.
    """

    def __init__(self, alpha=10.0, beta=0.75, learning_rate=None):
        super().__init__()
        self.alpha = alpha
        self.beta = beta
        self.learning_rate = learning_rate

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        _start_rates(self, self.learning_rate)

    def factor(self, progress):
        return 1.0 / (1.0 + self.alpha * progress) ** self.beta

    def on_train_batch_begin(self, batch, logs=None):
        _scale_rates(self, self.factor(self.progress(batch)))
