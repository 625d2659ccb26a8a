"""Resumable training: checkpoints of the whole training state, written atomically, the last few kept.

A checkpoint is a folder `<directory>/step-<global step>/` holding `model.weights.h5` (every
network, every optimizer's slots, iterations and learning rate, and the model's non-trainable
state: CycleGAN's image pools, DANN's reversal strength) and `state.json` (the epoch and batch
reached, the random generators' states, the metrics' running sums, the epoch logs so far and
the weights file's SHA-256, by which a truncated or corrupted checkpoint is recognised).
"""
import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings

import keras
import numpy as np
import tensorflow as tf
from absl import logging

from kerasgan import distribute

WEIGHTS = "model.weights.h5"
STATE = "state.json"
FOLDER = re.compile(r"^step-(\d+)$")
STAGING_PREFIX = ".tmp-"


def stream(dataset):
    """(dataset repeated without end, batches per epoch): the data as `fit(..., steps_per_epoch=...)` takes it
    so that a resumed run reads the batches an uninterrupted one would (one iterator, one reshuffle per epoch)."""
    steps = int(dataset.cardinality())
    if steps == tf.data.INFINITE_CARDINALITY:
        raise ValueError("the dataset repeats without end: pass one epoch of it")
    if steps == tf.data.UNKNOWN_CARDINALITY:
        steps = int(dataset.reduce(0, lambda count, _: count + 1))
    if steps == 0:
        raise ValueError("the dataset yields no batch: it has fewer examples than one batch")
    return dataset.repeat(), steps


class UnusableCheckpoint(UserWarning):
    """A checkpoint that cannot be read (truncated, corrupted or half-written) and is passed over."""


def seed_states(model):
    """The state variables of every keras.random.SeedGenerator of `model` (its own and its layers', e.g. Dropout's).

    `save_weights` leaves them out; without them a resumed run would draw other noise.
    """
    weights = {id(variable) for variable in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _numbers(logs):
    """The numeric entries of an epoch's logs, as Python floats (JSON)."""
    return {name: float(np.asarray(value)) for name, value in (logs or {}).items() if np.ndim(value) == 0}


def write(model, directory, global_step, epoch, batch, history=()):
    """Writes the checkpoint of `model` after `global_step` steps (`batch` batches into `epoch`); returns its folder.

    The files are written into a hidden staging folder, flushed to disk, then renamed to
    `step-<global_step>` in one step: a crash leaves either the whole checkpoint or none.
    An existing checkpoint of the same step is never overwritten (FileExistsError).
    """
    target = os.path.join(directory, f"step-{global_step:09d}")
    if os.path.exists(target):
        raise FileExistsError(f"{target} already exists: checkpoints are never overwritten")
    os.makedirs(directory, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=directory)
    try:
        weights = os.path.join(staging, WEIGHTS)
        model.save_weights(weights)
        state = {
            "global_step": global_step,
            "epoch": epoch,
            "batch": batch,
            "model": type(model).__name__,
            "seed_states": [keras.ops.convert_to_numpy(v).tolist() for v in seed_states(model)],
            "metrics": [keras.ops.convert_to_numpy(v).tolist() for v in model.metrics_variables],
            "history": list(history),
            "weights_sha256": _sha256(weights),
        }
        with open(os.path.join(staging, STATE), "w") as handle:
            json.dump(state, handle)
        for name in (WEIGHTS, STATE):
            with open(os.path.join(staging, name), "rb") as handle:
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)  # mkdtemp makes it private
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _problem(folder):
    """Why the checkpoint in `folder` cannot be used, or None when it is whole."""
    try:
        with open(os.path.join(folder, STATE)) as handle:
            state = json.load(handle)
        if _sha256(os.path.join(folder, WEIGHTS)) != state["weights_sha256"]:
            return f"{os.path.join(folder, WEIGHTS)} does not match the checksum in its {STATE}"
    except FileNotFoundError as error:
        return f"{error.filename} is missing"
    except (ValueError, KeyError, TypeError, OSError) as error:
        return f"{os.path.join(folder, STATE)} is unreadable ({type(error).__name__}: {error})"
    return None


def listed(directory):
    """The checkpoint folders in `directory`, oldest first (by step)."""
    if not os.path.isdir(directory):
        return []
    steps = sorted((int(match.group(1)), entry) for entry in os.listdir(directory) if (match := FOLDER.match(entry)))
    return [os.path.join(directory, entry) for _, entry in steps]


def latest(directory):
    """(folder, state) of the newest usable checkpoint in `directory`, or None when there is none.

    A newer checkpoint that cannot be read is passed over with an UnusableCheckpoint warning
    naming the bad file, and renamed to `<folder>.unusable` (kept for inspection, out of the way
    of the step that will be written again).
    """
    for folder in reversed(listed(directory)):
        problem = _problem(folder)
        if problem is None:
            with open(os.path.join(folder, STATE)) as handle:
                return folder, json.load(handle)
        message = f"checkpoint {folder} is unusable: {problem}; resuming from the one before it"
        warnings.warn(message, UnusableCheckpoint, stacklevel=2)
        logging.warning(message)
        aside = f"{folder}.unusable"
        if not os.path.exists(aside):
            os.rename(folder, aside)
    return None


def restore(model, folder, state):
    """Loads a checkpoint's weights, optimizer states and random generators' states into the built, compiled `model`."""
    if state.get("model") != type(model).__name__:
        raise ValueError(
            f"{folder} is a checkpoint of a {state.get('model')}, not of a {type(model).__name__}: "
            "resume with the command that started the run, or train into a new output folder"
        )
    # The learning rates stay those of compile: the schedules set them from the restored progress,
    # and a diverged run may be resumed with a lower rate.
    rates = [(optimizer, keras.ops.convert_to_numpy(optimizer.learning_rate)) for optimizer in _optimizers(model)]
    try:
        model.load_weights(os.path.join(folder, WEIGHTS))
    except ValueError as error:
        raise ValueError(
            f"{folder} does not fit this {type(model).__name__} ({str(error).splitlines()[0]}): resume with the "
            "settings that started the run, or train into a new output folder"
        ) from None
    for optimizer, rate in rates:
        optimizer.learning_rate = rate
    variables = seed_states(model)
    if len(variables) != len(state["seed_states"]):
        raise ValueError(
            f"{folder} holds {len(state['seed_states'])} random generator states, this model has {len(variables)}: "
            "resume with the settings that started the run"
        )
    for variable, value in zip(variables, state["seed_states"]):
        variable.assign(np.asarray(value, dtype=variable.dtype))


def _restore_metrics(model, values):
    """Sets the model's metric variables (running sums and counts) to a checkpoint's `values`."""
    for variable, value in zip(model.metrics_variables, values):
        variable.assign(np.asarray(value, dtype=variable.dtype))


@tf.function
def _drop(iterator, count):
    """Takes `count` batches from `iterator` and drops them, in one graph loop (no Python call per batch)."""
    for _ in tf.range(count):
        next(iterator)


def _fast_forward(model, earlier, skipped):
    """Makes fit's next training calls drop batches already trained on before a checkpoint: the `earlier`
    batches of the epochs before the resumed one, then the first `skipped` batches of that epoch.

    fit restarts the resumed epoch at its first batch, so that the batch indices which the schedules
    and the epoch length depend on are those of an uninterrupted run; its first `skipped` calls
    take their batch and train on nothing. (Keras' fit has no notion of starting inside an epoch
    or inside a stream: this is the one place that works around it.) Returns the undo function.
    """
    train_function = model.train_function
    remaining = [skipped]

    def undo():
        model.train_function = train_function

    def forward(iterator):
        if earlier:
            _drop(iterator, tf.constant(earlier, tf.int64))
        model.train_function = skipping
        return skipping(iterator)

    def skipping(iterator):
        if remaining[0] == 0:
            undo()
            return train_function(iterator)
        remaining[0] -= 1
        _drop(iterator, tf.constant(model.steps_per_execution, tf.int64))
        return {}

    model.train_function = forward
    return undo


def all_finite(model):
    """True when every weight of `model` (networks and optimizer slots) is finite."""
    variables = list(model.weights) + [v for optimizer in _optimizers(model) for v in optimizer.variables]
    return all(np.isfinite(keras.ops.convert_to_numpy(v)).all() for v in variables)


def _optimizers(model):
    """The optimizers the model holds as attributes (generator_optimizer, discriminator_optimizer, ...)."""
    return [value for value in vars(model).values() if isinstance(value, keras.optimizers.Optimizer)]


class Checkpoints(keras.callbacks.Callback):
    """Checkpoints the whole training state every `every` steps and when training ends, and resumes from it.

    When `fit` begins and `directory` holds a checkpoint, the model is restored from the newest
    usable one and training continues at the epoch and batch it was written at; an interrupted
    run then ends with the weights of an uninterrupted one when the data is the same stream of
    batches each time: a `tf.data` pipeline with a fixed shuffle seed, repeated, with
    `steps_per_epoch` (as `kerasgan train` does), deterministic ops
    (`tf.config.experimental.enable_op_determinism()`) and the step compiled the same way each time. WGAN's
    step of several critic updates is the exception measured: on the CPU, TensorFlow's graph executor rounds it
    differently from run to run now and then, deterministic ops or not; compiled with XLA
    (`compile(jit_compile=True)`, without deterministic ops, which turn Keras' XLA off) it gave the same bits
    every time. Only the `keep` newest checkpoints stay.
    No checkpoint is written while a weight or a logged loss is NaN or Inf, so the newest one is
    the last good state. Place this callback after the schedules (LinearDecay, ReversalSchedule,
    AnnealedLearningRate): they read the starting learning rates before the restore.
    `history` holds the numeric logs of every epoch of the run, restored ones included.
    Under MultiWorkerMirroredStrategy the chief writes `directory` (the other workers write to
    temporary folders they delete) and every worker resumes from it: it must be shared.
    """

    def __init__(self, directory, every=500, keep=2, verbose=1):
        super().__init__()
        for name, value in (("every", every), ("keep", keep)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise ValueError(f"the checkpoint directory {directory} is a file: name a folder")
        self.directory, self.every, self.keep, self.verbose = directory, every, keep, verbose
        self.history, self.restored, self.last_written = [], None, None
        self._epoch, self._batch, self._steps, self._skipping, self._undo_skip, self._metrics = 0, 0, None, 0, None, None
        self._chief, self._written_step = True, None

    def on_train_begin(self, logs=None):
        self._steps = self.params.get("steps")
        if not self._steps:
            raise ValueError(
                "Checkpoints needs the number of steps per epoch: use a dataset of known size or pass steps_per_epoch to fit"
            )
        self._chief = distribute.is_chief(getattr(self.model, "distribute_strategy", None))
        if self._chief and os.path.isdir(self.directory):
            for entry in os.listdir(self.directory):  # the remains of a write that was cut off
                if entry.startswith(STAGING_PREFIX):
                    shutil.rmtree(os.path.join(self.directory, entry), ignore_errors=True)
        found = latest(self.directory)
        if found is None:
            return
        folder, state = found
        restore(self.model, folder, state)
        self.restored, self.history, self._written_step = folder, list(state["history"]), state["global_step"]
        # fit reads this attribute to start at a later epoch, as keras.callbacks.BackupAndRestore does.
        self.model._initial_epoch = state["epoch"]
        self._skipping = state["batch"]
        self._undo_skip = _fast_forward(self.model, state["epoch"] * self._steps, state["batch"])
        self._metrics = state["metrics"] if state["batch"] else None
        if self.verbose:
            print(
                f"Resuming from {folder}: step {state['global_step']}, epoch {state['epoch'] + 1}, "
                f"batch {state['batch']} of {self._steps}"
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._batch = epoch, 0
        if self._metrics is not None:  # fit has just reset them; the resumed epoch continues its sums
            _restore_metrics(self.model, self._metrics)
            self._metrics = None

    def on_train_batch_end(self, batch, logs=None):
        self._batch = batch + 1
        if self._skipping:
            self._skipping -= 1
            return
        if self._global_step() % self.every == 0 and self._batch < self._steps:
            self._write(self._epoch, self._batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._batch < self._steps:  # stopped inside the epoch: resume there
            self._write(epoch, self._batch, logs)
            return
        self.history.append(_numbers(logs))
        last = epoch + 1 >= self.params.get("epochs", epoch + 1) or self.model.stop_training
        if last or self._global_step() % self.every == 0:
            self._write(epoch + 1, 0, logs)

    def on_train_end(self, logs=None):
        self.model._initial_epoch = None
        if self._undo_skip is not None:
            self._undo_skip()

    def _global_step(self):
        return self._epoch * self._steps + self._batch

    def _write(self, epoch, batch, logs):
        """Writes a checkpoint unless the state is not finite (then the newest one stays the last good one).

        Every worker writes, a non-chief one into a temporary folder it then deletes: under
        MultiWorkerMirroredStrategy reading some variables (the metrics') is a collective operation.
        """
        global_step = epoch * self._steps + batch
        if global_step == self._written_step:
            return
        if not all(np.isfinite(value) for value in _numbers(logs).values()) or not all_finite(self.model):
            logging.warning(f"no checkpoint at step {global_step}: the training state is not finite (NaN or Inf)")
            return
        directory = self.directory if self._chief else tempfile.mkdtemp()
        try:
            folder = write(self.model, directory, global_step, epoch, batch, self.history)
        finally:
            if not self._chief:
                shutil.rmtree(directory, ignore_errors=True)
        self._written_step = global_step
        if self._chief:
            self.last_written = folder
            for stale in listed(self.directory)[: -self.keep]:
                shutil.rmtree(stale, ignore_errors=True)
