"""The base of every kerasgan model: networks trained against each other by `fit`.

`AdversarialModel` holds what every adversarial model shares, and nothing of any one
algorithm: two optimizers (one for the networks that learn to fool, one for the networks
that judge), their compile config, one update helper that is correct under tf.distribute and
loss scaling, metric tracking, the data checks `fit` runs (from the model's declared
`batch()`), the serving protocol the exports read, and serialization.
Subclasses: `kerasgan.gan.GAN` (Goodfellow et al. 2014's Algorithm 1 and its variants),
`kerasgan.translation.Translator` (image-to-image models), and models that subclass this
class directly (domain-adversarial training).
"""
import copy

import keras
import tensorflow as tf

from kerasgan import graph_order, jit_choice, precision, replicas


class AdversarialModel(keras.Model):
    """Networks trained against each other by `fit`; the serving protocol for the exports.

    A subclass builds its networks, calls `super().__init__(**kwargs)` first, then
    `self.track_metrics(...)` with what its `train_step` logs, and defines:
    `generator_networks()` / `discriminator_networks()` (what each optimizer updates),
    `batch()` (what a training batch holds), `train_step`, and the serving protocol
    (`serving_endpoints`, `serving_networks`, `serving_examples`).

    Every subclass's constructor also takes `precision` ("auto", "float32", "bfloat16" or
    "float16", kerasgan.precision): the networks it builds compute in that precision.

    Args:
        seed: the seed of the noise the training step draws (None: a random one).
        **kwargs: keras.Model's (name, dtype, trainable).
    """

    # Models that do not sample from z say what to call instead of `generate`.
    sampling_alternative = None
    # Whether `kerasgan train` draws sample grids (a classifier draws its decision regions instead).
    draws_samples = True
    # Whether `kerasgan evaluate` scores real data beside the model (kerasgan.evaluation.floor); False for models
    # whose scores hold their own baseline (the context encoder's mean fill, SRGAN's bicubic upscaling).
    real_data_floor = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in vars(cls):
            cls.__init__ = precision.built_under_precision(cls.__init__)

    @classmethod
    def mixed_precision_by_default(cls, arguments):
        """Whether precision="auto" computes in the machine's native 16-bit type for a model built with
        `arguments` (the constructor's, by name): only where sample quality was measured to hold under it
        (BENCHMARKS.md, Precision)."""
        return False

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self.trackers = {}
        self.metric_roles = {}

    def track_metrics(self, generator=(), discriminator=()):
        """Creates a Mean tracker for each name `train_step` logs: `generator` names are losses of
        what `generator_optimizer` trains, `discriminator` names of what `discriminator_optimizer` trains."""
        for role, names in (("discriminator", discriminator), ("generator", generator)):
            for name in names:
                self.trackers[name] = keras.metrics.Mean(name=name)
                self.metric_roles[name] = role
        self.built = True

    @property
    def metric_names(self):
        return list(self.trackers)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def networks_trained_by(self, metric):
        """The networks whose loss the logged `metric` is (for naming what diverged)."""
        role = self.metric_roles.get(metric)
        if role == "generator":
            return self.generator_networks()
        if role == "discriminator":
            return self.discriminator_networks()
        return []

    def generator_networks(self):
        """The networks `generator_optimizer` updates."""
        raise NotImplementedError

    def discriminator_networks(self):
        """The networks `discriminator_optimizer` updates."""
        raise NotImplementedError

    # --- compile -------------------------------------------------------------------------

    def default_generator_optimizer(self):
        """Adam(2e-4, beta_1=0.5), DCGAN's (Radford et al. 2015); variants return their paper's."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def default_discriminator_optimizer(self):
        """The same kind of optimizer as the generator's, a separate instance."""
        return self.default_generator_optimizer()

    def compile(
        self,
        generator_optimizer=None,
        discriminator_optimizer=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
    ):
        """Sets one optimizer per side (the paper's defaults when None) and builds them now.

        Building here, not lazily in the first step, is what lets `fit` run under
        MirroredStrategy: an optimizer built inside the replica context fails there.

        Args:
            generator_optimizer: updates `generator_networks()`.
            discriminator_optimizer: updates `discriminator_networks()`; another instance.
            run_eagerly, steps_per_execution: as keras.Model.compile.
            jit_compile: True, False or "auto": on a CPU-only machine, the faster of the two measured at the
                start of a long `fit` (kerasgan.jit_choice); elsewhere Keras' choice.

        Compiling turns off Grappler's dependency optimization for the process (kerasgan.graph_order):
        it can reorder a read before an earlier update of the same step.
        """
        graph_order.keep_update_order()  # before the step is traced
        self.measures_jit = jit_choice.measures(self, jit_compile, run_eagerly)
        self.jit_choice = None
        super().compile(
            optimizer=None,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
            jit_compile=False if self.measures_jit else jit_compile,
        )
        if generator_optimizer is not None and generator_optimizer is discriminator_optimizer:
            raise ValueError("pass two optimizer instances: one optimizer cannot update two networks")
        self.generator_optimizer = self._build_optimizer(
            generator_optimizer or self.default_generator_optimizer(), self.generator_networks()
        )
        self.discriminator_optimizer = self._build_optimizer(
            discriminator_optimizer or self.default_discriminator_optimizer(), self.discriminator_networks()
        )
        self._compile_arguments = {
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }

    def _build_optimizer(self, optimizer, networks):
        """Resolves `optimizer`, adds loss scaling under mixed_float16 and builds its slots for `networks`."""
        optimizer = keras.optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(trainable_variables(networks))
        return optimizer

    def get_compile_config(self):
        """The optimizers and compile arguments, so that a `.keras` file restores them."""
        if not self.compiled:
            return {}
        return {
            "generator_optimizer": keras.optimizers.serialize(_unwrap(self.generator_optimizer)),
            "discriminator_optimizer": keras.optimizers.serialize(_unwrap(self.discriminator_optimizer)),
            **self._compile_arguments,
        }

    def compile_from_config(self, config):
        """Compiles from `get_compile_config()`; the optimizer states are loaded after this."""
        config = dict(config)
        for key in ("generator_optimizer", "discriminator_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    # --- training --------------------------------------------------------------------------

    def batch(self):
        """What one training batch holds: a `kerasgan.batches.Batch`."""
        raise NotImplementedError

    def fit(self, x=None, y=None, **kwargs):
        """keras.Model.fit, after checking that `x` (and `y`) hold this model's batches (`batch()`).

        Images may be uint8, scaled here by x / 127.5 - 1, or floats in [-1, 1]; other ranges are
        a ValueError. Arrays are checked whole, a dataset by its structure and first batch.
        """
        batch = self.batch()
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a dataset shuffles itself; Keras warns otherwise
            x = batch.check_dataset(x)
        else:
            x, y = batch.check_arrays(x, y)
        if getattr(self, "measures_jit", False) and (self.jit_choice is None or self.jit_choice.result is None):
            self.jit_choice = jit_choice.MeasuredJitChoice()
            kwargs["callbacks"] = [self.jit_choice, *(kwargs.get("callbacks") or [])]
        return super().fit(x, y, **kwargs)

    def track(self, **values):
        """Updates the Mean trackers named in `values`; returns every tracker's result."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def report(self, **values):
        """Updates the trackers named in `values`; returns only theirs (a test step's logs)."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: self.trackers[name].result() for name in values}

    def replica_draw(self, batch_size, shape, distribution=keras.random.normal):
        """This replica's rows of one global draw, so any replica count sees the same noise."""
        count, replica_id = replicas.share()
        if count == 1:  # one replica: the whole draw, no slice
            return distribution((batch_size,) + tuple(shape), seed=self.seed_generator)
        values = distribution((batch_size * count,) + tuple(shape), seed=self.seed_generator)
        return values[replica_id * batch_size : (replica_id + 1) * batch_size]

    def scaled_loss(self, loss, optimizer):
        """The loss to differentiate: divided by the replicas (their gradients are summed), then loss-scaled."""
        count, _ = replicas.share()
        return optimizer.scale_loss(loss / count if count > 1 else loss)

    def minimize(self, loss_of, networks, optimizer):
        """One optimizer update of `networks` (one network or a list) on the loss `loss_of()` computes; returns it."""
        with tf.GradientTape() as tape:
            loss = loss_of()
            scaled = self.scaled_loss(loss, optimizer)
        self.apply_update(tape, scaled, networks, optimizer)
        return loss

    zero_unconnected_gradients = False  # ProGAN: True, for the layers its step leaves out

    def apply_update(self, tape, scaled_loss, networks, optimizer):
        """One optimizer update of `networks` (one network or a list) from the gradients of `scaled_loss`."""
        variables = trainable_variables(networks)
        gradients = tape.gradient(scaled_loss, variables)
        if self.zero_unconnected_gradients:
            gradients = [keras.ops.zeros_like(v) if g is None else g for g, v in zip(gradients, variables)]
        optimizer.apply_gradients(zip(gradients, variables))

    # --- weight averaging (kerasgan.averaging) ------------------------------------------------

    ema_decay = 0.0  # models that keep averages (GAN, DANN) take it as an argument
    _use_average = True

    def averages_in_use(self):
        """Whether the averaged networks sample or predict now: the model keeps averages and `use_average` is on."""
        return self.ema_decay > 0 and self._use_average

    @property
    def use_average(self):
        """True (the default): a model built with `ema_decay` samples or predicts with its averaged networks;
        False: with the trained ones, to compare the two."""
        return self._use_average

    @use_average.setter
    def use_average(self, value):
        self._use_average = bool(value)
        self.predict_function = self.test_function = None  # traced with the other networks

    # --- the command line (kerasgan.cli) -----------------------------------------------------

    cli_flags = ()  # kerasgan.registry.Flag: the flags `kerasgan train` builds this model from
    dataset_options = {}  # what kerasgan.data.load is asked for, e.g. {"with_labels": True}

    @classmethod
    def data_arguments(cls, element_spec, flags):
        """Constructor arguments read off the training data's `element_spec` (shapes, classes)."""
        raise NotImplementedError(f"{cls.__name__} does not say how to size itself from data: define data_arguments")

    @classmethod
    def from_flags(cls, flags, element_spec):
        """The model `kerasgan train` builds: sized from the data, set by the flags in `cli_flags` that are set."""
        arguments = cls.data_arguments(element_spec, flags)
        for flag in cls.cli_flags:
            value = getattr(flags, flag.name)
            if value is not None:
                arguments.update(flag.arguments(value))
        return cls(**arguments, seed=flags.seed, precision=getattr(flags, "precision", "auto"))

    @classmethod
    def training_data(cls, flags, split=None, batch_size=None, shuffle=True):
        """The dataset `kerasgan train` fits on: --dataset as kerasgan.data.load gives it to this model."""
        from kerasgan import data

        return data.load(
            flags.dataset, image_size=flags.image_size, batch_size=batch_size or flags.batch_size,
            split=split or flags.split, shuffle=shuffle, seed=flags.seed, num_samples=flags.num_samples,
            direction=flags.direction, **cls.dataset_options,
        )

    @classmethod
    def validation_data(cls, flags):
        """What `kerasgan train` passes as validation_data (None: nothing)."""
        return None

    @classmethod
    def scored_dataset(cls, flags):
        """The dataset --quality_every scores the model on."""
        return flags.dataset

    def training_callbacks(self, flags):
        """The paper's schedules as callbacks for `kerasgan train` (learning-rate decay, ...)."""
        return []

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """The model's quality on `dataset` (kerasgan.evaluation.evaluate): a dict of floats."""
        raise NotImplementedError(f"{type(self).__name__} has no quality scores: define scores()")

    def generate(self, num_images, seed=None, **kwargs):
        """Samples; a model that does not sample says what to call instead."""
        raise TypeError(f"{type(self).__name__} {self.sampling_alternative or 'does not sample'}")

    # --- serving -------------------------------------------------------------------------------

    def serving_endpoints(self):
        """What exports serve: signature name -> (function of named tensors, their TensorSpecs)."""
        raise NotImplementedError

    def serving_networks(self):
        """The networks the serving endpoints run; exports save only their weights."""
        raise NotImplementedError

    def serving_examples(self, count, seed=0):
        """Inputs of `serving_default` for calibration and parity checks: {input name: array}."""
        raise NotImplementedError

    # --- presets (keras-hub's convention) ---------------------------------------------------------

    @classmethod
    def from_preset(cls, preset):
        """A trained model of this class: a preset shipped with kerasgan (`kerasgan.presets.names()`, e.g.
        "dcgan_mnist"), a folder written by `save_to_preset`, a run folder or a .keras file. Uncompiled.

        Args:
            preset: the preset's name or path; one of another class is refused.
        """
        from kerasgan import presets

        return presets.load(preset, cls)

    def save_to_preset(self, folder, weights_dtype="float16", **metadata):
        """Writes the inference networks' weights and the config into a new `folder` that `from_preset` loads
        (kerasgan.presets.save; `metadata`: JSON values kept with it, e.g. scores=...)."""
        from kerasgan import presets

        return presets.save(self, folder, weights_dtype=weights_dtype, **metadata)

    # --- serialization -----------------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "seed": self.seed,
            "precision": self.precision,
        }

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes nested dicts
        for key, value in config.items():
            if _serialized(value):  # networks, penalties and the dtype policy
                config[key] = keras.saving.deserialize_keras_object(value)
            elif isinstance(value, list) and value and all(map(_serialized, value)):  # a list of networks
                config[key] = [keras.saving.deserialize_keras_object(item) for item in value]
        if "precision" not in config and "dtype" in config:  # saved before models recorded their precision
            config["precision"] = precision.precision_of(keras.dtype_policies.get(config["dtype"]).name)
        return cls(**config)


def _serialized(value):
    """True for what keras.saving.serialize_keras_object made."""
    return isinstance(value, dict) and "class_name" in value


def trainable_variables(networks):
    """The trainable variables of one network or of a list of them, in order."""
    networks = networks if isinstance(networks, (list, tuple)) else [networks]
    return [variable for network in networks for variable in network.trainable_variables]


def _unwrap(optimizer):
    """The optimizer inside a LossScaleOptimizer (compile re-wraps it from the dtype policy)."""
    return getattr(optimizer, "inner_optimizer", optimizer)
