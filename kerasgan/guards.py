"""Training guards: callbacks that stop a diverged run and warn of mode collapse."""
import math
import numbers
import warnings

import keras
import numpy as np
from absl import logging
from sklearn.metrics import pairwise_distances

from kerasgan import callbacks

# The threshold, from the sample grids of DCGAN runs on 200 photo crops at 32x32 (bench/own_images.py):
# grids of 64 identical-looking tiles measured 0.08-0.22 (the default settings stuck there from step ~100 to
# their end at 300; lower learning rates still 0.08 at step 900), the first grids with a few distinct kinds
# of tile 0.33, varied ones 0.5-1.1. Runs that escape the identical phase cross 0.3 at steps 120 (R1,
# WGAN-GP), 240 (spectral norm) and 360-600 (instance noise, label smoothing, the defaults trained longer).
# On digits 16x16 healthy GANs measure 0.07-0.09 untrained, 0.10-0.14 after 22 steps and 0.92 after 220;
# a generator frozen with a zeroed last kernel 0.000.
DEFAULT_THRESHOLD = 0.3
DEFAULT_NUM_SAMPLES = 128
DEFAULT_PATIENCE = 2
REMEDIES = (
    "train longer (GANs on small data often pass through this), an R1 penalty (penalty='r1', penalty_weight=10), "
    "instance_noise=0.1 or label_smoothing=0.2, the Wasserstein loss with a gradient penalty, unrolled_steps=5 or an "
    "ensemble of discriminators"
)


def sub_networks(model):
    """{name: network} of the model's sub-networks: attributes that are keras.Models or lists of them.

    A network is named after the attribute holding it, an entry of a list as `name[i]`
    (`discriminators[0]`); a public property of the model's class that returns a network held
    as `generator` or `discriminator` renames it (a critic, say, held as `discriminator`).
    """
    attributes = {name: value for name, value in vars(model).items() if not name.startswith("_")}
    listed = {id(item) for value in attributes.values() if isinstance(value, (list, tuple)) for item in value}
    names = {}  # id -> [name, network], in the order first seen
    for name, value in attributes.items():
        if isinstance(value, keras.Model) and id(value) not in listed:
            names.setdefault(id(value), [name, value])
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if isinstance(item, keras.Model):
                    names.setdefault(id(item), [f"{name}[{index}]", item])
    for name in _network_properties(type(model)):  # a critic held as `discriminator` is named `critic`
        value = getattr(model, name, None)
        if id(value) in names and names[id(value)][0] in GENERIC_NAMES and name not in GENERIC_NAMES:
            names[id(value)][0] = name
    return {name: network for name, network in names.values()}


GENERIC_NAMES = ("generator", "discriminator")  # the adversarial roles' names, which a model's own names replace


def _network_properties(cls):
    """Public property names defined by the kerasgan classes among `cls` and its bases."""
    return [
        name
        for base in reversed(cls.__mro__)
        if base.__module__.startswith("kerasgan")
        for name, value in vars(base).items()
        if isinstance(value, property) and not name.startswith("_")
    ]


def _non_finite_variable(network):
    """The path of the first float weight of `network` holding a NaN or an Inf, or None."""
    for variable in network.weights:
        if "float" in str(variable.dtype) and not bool(keras.ops.all(keras.ops.isfinite(variable.value))):
            return variable.path
    return None


def non_finite_networks(model):
    """[(network name, variable path)] of every sub-network with a NaN or Inf weight, with its first such variable
    (a model without sub-networks is checked whole, as "model")."""
    found = []
    for name, network in (sub_networks(model) or {"model": model}).items():
        path = _non_finite_variable(network)
        if path is not None:
            found.append((name, path))
    return found


def non_finite_weights(model):
    """(network name, variable path) of the first NaN or Inf weight in the model's sub-networks, or None."""
    found = non_finite_networks(model)
    return found[0] if found else None


def _check_count(name, value, minimum):
    """Raises ValueError unless `value` is an integer >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _joined(words):
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class DivergenceGuard(keras.callbacks.Callback):
    """Stops `fit` as soon as a logged loss or a weight becomes NaN or Inf, and says where.

    Every batch's logs are checked (they are already on the host); every sub-network's
    weights every `weight_every` batches, at each epoch end, and whenever a log is not
    finite. On tripping it sets `model.stop_training`, so `fit` returns normally, and
    records `diverged`, `step` (the global step: epoch x steps per epoch + batch, so that a
    run resumed by `checkpoints.Checkpoints` counts from its start) and `message`, one line such as "training diverged at step 1234
    (epoch 3, batch 12): d_loss is nan; the discriminator's weights are not finite
    (first: discriminator/dense/kernel)"; epoch and batch count from 1, as Keras prints
    them. The message is logged once with absl `logging.error`. A NaN spreads from one
    network to the other within a step: `weight_every=1` names the network that went first.
    """

    def __init__(self, weight_every=100):
        super().__init__()
        _check_count("weight_every", weight_every, 1)
        self.weight_every = int(weight_every)
        self.steps = 0  # the global step of the last batch seen
        self._epoch_start = 0
        self._epoch = 0
        self._next_weight_check = self.weight_every
        self._reset()

    def _reset(self):
        self.diverged = False
        self.step = None
        self.message = None

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        # fit starts at a resumed run's epoch: the steps before it count too (when the epoch length is known).
        self._epoch, self._epoch_start = epoch, epoch * self.params["steps"] if (self.params or {}).get("steps") else self.steps

    def on_train_batch_end(self, batch, logs=None):
        if self.diverged:
            return
        self.steps = self._epoch_start + batch + 1  # `batch` is the last of the execution with steps_per_execution > 1
        bad_logs = _non_finite_logs(logs)
        if bad_logs or self.steps >= self._next_weight_check:
            self._next_weight_check = (self.steps // self.weight_every + 1) * self.weight_every
            self._check(bad_logs, batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if not self.diverged:
            self._check({}, self.steps - self._epoch_start)

    def _check(self, bad_logs, batch):
        """Trips when `bad_logs` ({name: value}) is not empty or a weight is not finite."""
        bad_weights = non_finite_networks(self.model)
        if not bad_logs and not bad_weights:
            return
        parts = []
        if bad_logs:
            parts.append(", ".join(f"{name} is {value}" for name, value in bad_logs.items()))
        if bad_weights:
            network, path = bad_weights[0]
            names = [name for name, _ in bad_weights]
            owners = _joined([f"{name}'s" for name in names])
            parts.append(f"the {owners} weights are not finite (first: {network}/{path})")
        else:
            trained = self._trained_networks(bad_logs)
            parts[0] += f" (it trains the {_joined(trained)})" if trained else ""
            parts.append("every weight is still finite")
        self.diverged = True
        self.step = self.steps
        self.message = f"training diverged at step {self.step} (epoch {self._epoch + 1}, batch {batch}): " + "; ".join(parts)
        self.model.stop_training = True
        logging.error(self.message)

    def _trained_networks(self, bad_logs):
        """Names of the networks the non-finite metrics train, in the model's order."""
        names = {id(network): name for name, network in sub_networks(self.model).items()}
        if not hasattr(self.model, "networks_trained_by"):  # not a kerasgan model
            return []
        trained = [
            names[id(network)] for metric in bad_logs for network in self.model.networks_trained_by(metric) if id(network) in names
        ]
        return list(dict.fromkeys(trained))


def _non_finite_logs(logs):
    """{name: value} of the numeric logs that are NaN or Inf."""
    bad = {}
    for name, value in (logs or {}).items():
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(value):
            bad[name] = value
    return bad


class ModeCollapse(UserWarning):
    """Warned once by ModeCollapseWarning when the samples stay far less diverse than the real data."""


def diversity(samples):
    """Mean Euclidean distance between the distinct pairs of flattened `samples` (at least 2)."""
    flat = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    count = len(flat)
    if count < 2:
        raise ValueError(f"diversity needs at least 2 samples, got {count}")
    return float(pairwise_distances(flat).sum() / (count * (count - 1)))


class ModeCollapseWarning(keras.callbacks.Callback):
    """Warns once when the generator's samples stay far less diverse than the real data.

    Every `every` epochs and after the last one (`every=None`: about every 200 steps,
    `callbacks.epochs_between`) it draws `num_samples` samples from a fixed seed (a conditional
    model: labels 0, 1, ..., num_classes - 1 in turn) and logs `diversity`: their mean pairwise
    Euclidean distance over that of `num_samples` rows of `reference` (real samples). A
    ratio below `threshold` (0.3: below it the samples look alike, see DEFAULT_THRESHOLD) at
    `patience` checks in a row, or at the last one, emits one `ModeCollapse` warning naming
    the ratio, the epoch and what to try; checking goes on, and a later check above the
    threshold says that the samples are varied again (absl warning). `ratios` and `epochs`
    hold every check's ratio and epoch, `summary()` describes the last. Models that do not
    sample (translators and classifiers: `sampling_alternative`) are skipped.
    Pairwise similarity of samples as a measure of collapse follows AC-GAN (Odena et al. 2017,
    arXiv:1610.09585, with MS-SSIM); the Euclidean distance also works on 2-D points.
    """

    def __init__(
        self, reference=None, num_samples=DEFAULT_NUM_SAMPLES, threshold=DEFAULT_THRESHOLD, patience=DEFAULT_PATIENCE,
        seed=0, every=1,
    ):
        super().__init__()
        _check_count("num_samples", num_samples, 2)
        _check_count("patience", patience, 1)
        _check_count("seed", seed, 0)
        if every is not None:
            _check_count("every", every, 1)
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not threshold > 0:
            raise ValueError(f"threshold is a ratio of diversities: it must be > 0, got {threshold!r}")
        self.reference = _reference(reference, num_samples, seed)
        self.num_samples = int(num_samples)
        self.threshold = float(threshold)
        self.patience = int(patience)
        self.seed = int(seed)
        self.reference_diversity = diversity(self.reference)
        if not self.reference_diversity > 0:
            raise ValueError("the reference samples are all identical: give real samples that differ")
        self.every = every
        self.ratios, self.epochs = [], []  # the ratio of every check, and the epoch (from 1) it ended
        self.warned = False
        self._below = 0
        self._sampling = False
        self._every = every

    def on_train_begin(self, logs=None):
        self._every = self.every or callbacks.epochs_between((self.params or {}).get("steps"))
        model = self.model
        alternative = getattr(model, "sampling_alternative", None)
        self._sampling = hasattr(model, "generate") and not alternative
        if not self._sampling:
            logging.info(
                "ModeCollapseWarning skips %s: it %s", type(model).__name__, alternative or "has no generate()"
            )
            return
        sample_shape = tuple(getattr(model, "sample_shape", self.reference.shape[1:]))
        if self.reference.shape[1:] != sample_shape:
            raise ValueError(
                f"the reference samples have shape {self.reference.shape[1:]} but {type(model).__name__} makes "
                f"{sample_shape}: give real samples of the model's shape"
            )

    def on_epoch_end(self, epoch, logs=None):
        if not self._sampling or not callbacks.is_due(epoch, self._every, self.params):
            return
        ratio = self.measure()
        self.ratios.append(ratio)
        self.epochs.append(epoch + 1)
        if logs is not None:
            logs["diversity"] = ratio
        collapsed = ratio < self.threshold
        self._below = self._below + 1 if collapsed else 0
        last = epoch + 1 >= (self.params or {}).get("epochs", math.inf)
        if collapsed and not self.warned and (self._below >= self.patience or last):
            self.warned = True
            warnings.warn(
                f"mode collapse at epoch {epoch + 1}: the samples' diversity is {ratio:.3g} of the real data's "
                f"(below {self.threshold:g} at {self._below} check{'s' * (self._below > 1)} in a row: the samples look "
                f"alike). Try: {REMEDIES}",
                ModeCollapse, stacklevel=2,
            )
        elif self.warned and not collapsed and len(self.ratios) > 1 and self.ratios[-2] < self.threshold:
            logging.warning(f"the samples are varied again at epoch {epoch + 1}: diversity {ratio:.3g} of the real data's")

    def measure(self):
        """The diversity of `num_samples` fixed-seed samples over the reference's (nan for non-finite samples)."""
        num_classes = getattr(self.model, "num_classes", None)
        conditions = {"labels": np.arange(self.num_samples) % num_classes} if num_classes else {}
        samples = self.model.generate(self.num_samples, seed=self.seed, **conditions)
        # A diverged generator (see DivergenceGuard) has no diversity to measure: nan, not a collapse.
        return diversity(samples) / self.reference_diversity if np.all(np.isfinite(samples)) else math.nan

    def summary(self):
        """One line on the last check: its diversity, and whether the samples are collapsed; None before any check."""
        if not self.ratios:
            return None
        epoch, ratio = self.epochs[-1], self.ratios[-1]
        state = "collapsed" if ratio < self.threshold else "not collapsed"
        return f"{ratio:.3g} of the real data's at epoch {epoch} ({state}: the threshold is {self.threshold:g})"


def _reference(reference, num_samples, seed):
    """At most `num_samples` rows of `reference` (a fixed-seed subset), checked to be real samples."""
    if reference is None:
        raise ValueError(
            "ModeCollapseWarning needs reference: an array of real samples (batch, *sample_shape), "
            "e.g. the images of one or two training batches"
        )
    if isinstance(reference, (tuple, list, dict)):
        raise ValueError(
            "reference must be one array of real samples (batch, *sample_shape); for labelled data give the images only"
        )
    reference = np.asarray(reference, dtype=np.float32)
    if reference.ndim < 2 or len(reference) < 2:
        raise ValueError(
            f"reference must be a batch of at least 2 real samples (batch, *sample_shape), got shape {reference.shape}"
        )
    if not np.all(np.isfinite(reference)):
        raise ValueError("reference holds NaN or Inf values")
    if len(reference) > num_samples:
        reference = reference[np.sort(np.random.default_rng(seed).choice(len(reference), num_samples, replace=False))]
    return reference
