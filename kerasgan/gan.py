"""The GAN base class: what every kerasgan variant shares.

A generator G and a discriminator D trained in turns, k discriminator steps per generator
step (Goodfellow et al. 2014, arXiv:1406.2661, Algorithm 1). Variants subclass `GAN` and
override `_discriminator_step` / `_generator_step`, or `train_step` for other schemes.
"""
import copy

import numpy as np
import keras
import tensorflow as tf
from keras import ops

from kerasgan import losses, penalties, replicas, unrolling

PENALTIES = (None, "gp", "r1", "clip")
PENALTY_METRICS = {"gp": "gradient_penalty", "r1": "r1_penalty"}
DEFAULT_PENALTY_WEIGHTS = {"gp": 10.0, "r1": 10.0}  # WGAN-GP's lambda; R1's gamma (Mescheder et al. 2018)
DEFAULT_UNROLLED_LEARNING_RATE = 0.01
IMAGE_RANGE_TOLERANCE = 1e-3  # float rounding of x / 127.5 - 1 and of resizing


def check_network(role, network):
    """Raises ValueError unless `network` is a built keras.Model."""
    if not isinstance(network, keras.Model) or not network.built:
        raise ValueError(f"{role} must be a built keras.Model (e.g. a functional model), got {network!r}")


def check_generator(generator, latent_dim, sample_shape):
    """Raises ValueError unless `generator` maps latent_dim to sample_shape (a user's network)."""
    check_network("generator", generator)
    takes, makes = int(generator.inputs[0].shape[-1]), tuple(generator.outputs[0].shape[1:])
    if (takes, makes) != (latent_dim, tuple(sample_shape)):
        raise ValueError(
            f"the given generator maps {takes} to {makes}, which disagrees with latent_dim={latent_dim} "
            f"and sample shape {tuple(sample_shape)}: leave those out or make them match"
        )


def image_settings(model_name, image_shape, latent_dim, generator, default_latent_dim=100):
    """(image_shape, latent_dim) as given, else read off a given generator, which must agree with them."""
    if generator is not None:
        check_network("generator", generator)
        image_shape = tuple(int(d) for d in generator.outputs[0].shape[1:]) if image_shape is None else image_shape
        latent_dim = int(generator.inputs[0].shape[-1]) if latent_dim is None else latent_dim
        check_generator(generator, latent_dim, image_shape)
    if image_shape is None:
        raise ValueError(f"{model_name} needs image_shape, e.g. {model_name}(image_shape=(32, 32, 1)), or a generator")
    return tuple(image_shape), default_latent_dim if latent_dim is None else latent_dim


def check_fit(generator, discriminator):
    """Raises ValueError unless G's first input is (batch, latent) and its output fits D's first input."""
    if len(generator.inputs[0].shape) != 2:
        raise ValueError(f"the generator's first input must be z of shape (batch, latent_dim), got {generator.inputs[0].shape}")
    produced = tuple(generator.outputs[0].shape[1:])
    expected = tuple(discriminator.inputs[0].shape[1:])
    if produced != expected:
        raise ValueError(
            f"the generator makes samples of shape {produced} but the discriminator takes "
            f"{expected}: give both networks the same sample shape"
        )


class GAN(keras.Model):
    """Base of the zoo: a generator and a discriminator trained by `fit` (Goodfellow et al. 2014).

    Subclasses build `generator` and `discriminator` (functional keras.Models) and pass them
    in; both must be built, and the generator's output must fit the discriminator's input.
    """

    extra_metric_names = ()  # what a variant's steps add to d_loss, g_loss and the penalty
    # What jit_compile="auto" means on a machine with only CPUs: the faster setting measured by
    # `make bench` (BENCHMARKS.md). Keras' own "auto" is always off there; on GPU/TPU it is kept.
    cpu_jit_compile = False
    # Models without z (translators, DANN) name what to call instead of `generate`.
    sampling_alternative = None
    # Parts of a training batch (by position: x, y) that hold images: fit scales uint8 ones to [-1, 1]
    # and checks the range of float ones. Used only when the samples are images (rank 3).
    image_parts = {0: "images"}

    def __init__(
        self,
        generator,
        discriminator,
        loss="non_saturating",
        label_smoothing=0.0,
        discriminator_steps=1,
        penalty=None,
        penalty_weight=None,
        clip_value=0.01,
        instance_noise=0.0,
        unrolled_steps=0,
        unrolled_learning_rate=DEFAULT_UNROLLED_LEARNING_RATE,
        split_real_batch=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._check_networks(generator, discriminator)
        if isinstance(discriminator_steps, bool) or not isinstance(discriminator_steps, int) or discriminator_steps < 1:
            raise ValueError(f"discriminator_steps must be an integer >= 1, got {discriminator_steps!r}")
        if penalty not in PENALTIES:
            raise ValueError(f"unknown penalty {penalty!r}: use one of {PENALTIES}")
        if penalty_weight is not None and not penalty_weight >= 0:
            raise ValueError(f"penalty_weight must be >= 0, got {penalty_weight!r}")
        if not clip_value > 0:
            raise ValueError(f"clip_value must be > 0 (weights are clipped to [-clip_value, clip_value]), got {clip_value!r}")
        if not instance_noise >= 0:
            raise ValueError(f"instance_noise is a standard deviation: it must be >= 0, got {instance_noise!r}")
        self._check_unrolling(unrolled_steps, unrolled_learning_rate)
        if not isinstance(split_real_batch, bool):
            raise ValueError(f"split_real_batch must be True or False, got {split_real_batch!r}")
        if split_real_batch and type(self).train_step is not GAN.train_step:
            raise ValueError(f"{type(self).__name__} has its own training step: split_real_batch applies to the GAN family")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.sample_shape = tuple(int(d) for d in generator.outputs[0].shape[1:])
        self.loss = loss
        self.label_smoothing = float(label_smoothing)
        self.generator_loss, self.discriminator_loss = losses.get(loss, self.label_smoothing)
        self.discriminator_steps = discriminator_steps
        self.penalty = penalty
        self.penalty_weight = float(DEFAULT_PENALTY_WEIGHTS.get(penalty, 0.0) if penalty_weight is None else penalty_weight)
        self.clip_value = float(clip_value)
        self.instance_noise = float(instance_noise)
        self.unrolled_steps = unrolled_steps
        self.unrolled_learning_rate = float(unrolled_learning_rate)
        self.split_real_batch = split_real_batch
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self.metric_names = self._metric_names()
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names}
        self.built = True

    def _metric_names(self):
        """What `fit` reports: d_loss, g_loss, the Wasserstein estimate and penalty when used, and the variant's extras."""
        names = ["d_loss", "g_loss"]
        if self.loss == "wasserstein":
            names.append("wasserstein_estimate")
        if self.penalty in PENALTY_METRICS:
            names.append(PENALTY_METRICS[self.penalty])
        return names + list(self.extra_metric_names)

    def _check_unrolling(self, steps, learning_rate):
        """Raises ValueError for a bad unrolling setting, or one this variant's own generator step would ignore."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"unrolled_steps must be an integer >= 0 (0: no unrolling), got {steps!r}")
        if not learning_rate > 0:
            raise ValueError(f"unrolled_learning_rate must be > 0, got {learning_rate!r}")
        own_steps = any(
            getattr(type(self), step) is not getattr(GAN, step) for step in ("train_step", "_generator_step", "_generator_loss")
        )
        if steps and own_steps:
            raise ValueError(
                f"{type(self).__name__} has its own generator loss: unrolled_steps applies to GAN, DCGAN, CGAN and WGAN"
            )

    def _check_networks(self, generator, discriminator):
        """Raises ValueError unless G maps (batch, latent) to what D takes."""
        check_network("generator", generator)
        check_network("discriminator", discriminator)
        if len(generator.inputs) != 1:
            raise ValueError(f"generator must take one input of shape (batch, latent_dim), got {generator.inputs}")
        check_fit(generator, discriminator)

    # --- compile -------------------------------------------------------------------------

    def default_generator_optimizer(self):
        """The paper's optimizer: DCGAN's Adam(2e-4, 0.5); WGAN-GP's Adam(1e-4, 0.5, 0.9); WGAN's RMSprop(5e-5)."""
        if self.penalty == "gp":
            return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5, beta_2=0.9)
        if self.penalty == "clip":
            return keras.optimizers.RMSprop(learning_rate=5e-5)
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
        """Sets one optimizer per network (paper defaults when None) and builds them now.

        Building here, not lazily in the first step, is what lets `fit` run under
        MirroredStrategy: an optimizer built inside the replica context fails there.
        """
        super().compile(
            optimizer=None,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
            jit_compile=self._resolve_jit_compile(jit_compile, run_eagerly),
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

    def _resolve_jit_compile(self, jit_compile, run_eagerly):
        """`cpu_jit_compile` for "auto" on a CPU-only machine outside tf.distribute; else as given (Keras resolves "auto")."""
        distributed = tf.distribute.has_strategy() or getattr(self, "_distribute_strategy", None) is not None
        if jit_compile != "auto" or run_eagerly or distributed:
            return jit_compile
        if any(device.device_type != "CPU" for device in tf.config.list_physical_devices()):
            return jit_compile
        return self.cpu_jit_compile

    def generator_networks(self):
        """The networks `generator_optimizer` updates (CycleGAN: both generators)."""
        return [self.generator]

    def discriminator_networks(self):
        """The networks `discriminator_optimizer` updates (CycleGAN: both discriminators)."""
        return [self.discriminator]

    def _build_optimizer(self, optimizer, networks):
        """Resolves `optimizer`, adds loss scaling under mixed_float16 and builds its slots for `networks`."""
        optimizer = keras.optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer
        ):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(_trainable_variables(networks))
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

    @property
    def metrics(self):
        return list(self.trackers.values())

    # --- training --------------------------------------------------------------------------

    def fit(self, x=None, y=None, **kwargs):
        """keras.Model.fit, after checking that `x` yields batches of this model's samples.

        Images (the `image_parts` of a batch) may be uint8, scaled here by x / 127.5 - 1, or
        floats in [-1, 1]; other ranges are a ValueError. Arrays are checked whole, a dataset
        by its first batch (`_check_first_batch`).
        """
        self._check_training_data(x)
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a dataset shuffles itself; Keras warns otherwise
            x = self._checked_dataset(x)
        else:
            x, y = self._checked_arrays(x, y)
        return super().fit(x, y, **kwargs)

    def _image_parts(self):
        """Position -> name of the parts of a training batch that hold images; none for vector data."""
        return self.image_parts if len(self.sample_shape) == 3 else {}

    def _checked_arrays(self, x, y):
        """(x, y) with uint8 image arrays scaled to [-1, 1], after checking the float ones' range."""
        parts = [x, y]
        for position, role in self._image_parts().items():
            if isinstance(parts[position], (np.ndarray, tf.Tensor)):
                images = np.asarray(parts[position])
                check_images(images, role, type(self).__name__)
                parts[position] = images.astype("float32") / 127.5 - 1.0 if images.dtype == np.uint8 else images
        return tuple(parts)

    def _checked_dataset(self, dataset):
        """`dataset` with uint8 images mapped to [-1, 1], after `_check_first_batch` on its first batch."""
        spec = dataset.element_spec
        single = not isinstance(spec, tuple)
        specs = (spec,) if single else spec
        images = {
            position: role for position, role in self._image_parts().items()
            if position < len(specs) and isinstance(specs[position], tf.TensorSpec)
        }
        first = next(iter(dataset.take(1)), None)
        if first is not None:
            self._check_first_batch(tf.nest.map_structure(np.asarray, (first,) if single else first), images)
        uint8 = [position for position in images if specs[position].dtype == tf.uint8]
        if not uint8:
            return dataset

        def scale(*batch):
            scaled = tuple(
                tf.cast(part, tf.float32) / 127.5 - 1.0 if position in uint8 else part for position, part in enumerate(batch)
            )
            return scaled[0] if single else scaled

        return dataset.map(scale, num_parallel_calls=tf.data.AUTOTUNE)

    def _check_first_batch(self, batch, images):
        """Raises ValueError when the first batch of a dataset (a tuple of numpy arrays) holds bad values:
        `images` (position -> name) must be uint8 or floats in [-1, 1]. Variants add their label checks."""
        for position, role in images.items():
            check_images(batch[position], f"the dataset's {role}", type(self).__name__)
        if self.split_real_batch and len(batch[0]) < self.discriminator_steps:
            raise ValueError(
                f"split_real_batch gives each of the {self.discriminator_steps} discriminator steps a slice of "
                f"the batch, but the batch holds {len(batch[0])} samples: use a batch of at least "
                f"{self.discriminator_steps} (a multiple of it)"
            )

    def _check_training_data(self, x):
        """Raises ValueError when `x` (dataset or array) cannot feed this model."""
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if isinstance(spec, (tuple, list)):
                spec = spec[0]
            if not isinstance(spec, tf.TensorSpec):
                return
            shape, dtype, source = tuple(spec.shape), tf.as_dtype(spec.dtype), "the dataset yields"
        elif isinstance(x, (np.ndarray, tf.Tensor)):
            shape, dtype, source = (None,) + tuple(x.shape[1:]), tf.as_dtype(x.dtype), "x has"
        else:
            return
        expected = (None,) + self.sample_shape
        if len(shape) == len(self.sample_shape) and all(
            a in (None, b) for a, b in zip(shape, self.sample_shape)
        ):
            raise ValueError(f"{source} single examples of shape {shape}: batch it (dataset.batch(64))")
        if len(shape) != len(expected) or any(a not in (None, b) for a, b in zip(shape[1:], expected[1:])):
            raise ValueError(
                f"{source} batches of shape {shape} but {type(self).__name__} takes {expected} "
                f"(batch, {', '.join(map(str, self.sample_shape))}): resize the data or build the "
                "model for this shape"
            )
        if self._image_parts() and not (dtype.is_floating or dtype == tf.uint8):
            raise ValueError(
                f"{source} {dtype.name} values but {type(self).__name__} takes uint8 images or floats in [-1, 1]: "
                "convert with x.astype('uint8') (from [0, 255]) or scale with x / 127.5 - 1 (kerasgan.data.load does this)"
            )
        if not self._image_parts() and not dtype.is_floating:
            raise ValueError(f"{source} {dtype.name} values but {type(self).__name__} takes floats: convert with x.astype('float32')")

    def sample_latent(self, batch_size, seed=None):
        """Draws z ~ N(0, I) of shape (batch_size, latent_dim); an int seed makes it repeatable."""
        return keras.random.normal((batch_size, self.latent_dim), seed=seed)

    def _replica_draw(self, batch_size, shape, distribution=keras.random.normal):
        """This replica's rows of one global draw, so any replica count sees the same noise."""
        count, replica_id = replicas.share()
        values = distribution((batch_size * count,) + tuple(shape), seed=self.seed_generator)
        return values[replica_id * batch_size : (replica_id + 1) * batch_size]

    def _training_latent(self, batch_size):
        return self._replica_draw(batch_size, (self.latent_dim,))

    def _scaled(self, loss, optimizer):
        """The loss to differentiate: divided by the replicas (their gradients are summed), then loss-scaled."""
        count, _ = replicas.share()
        return optimizer.scale_loss(loss / count)

    def _apply(self, tape, scaled_loss, networks, optimizer):
        """One optimizer update of `networks` (one network or a list) from the gradients of `scaled_loss`."""
        variables = _trainable_variables(networks)
        gradients = tape.gradient(scaled_loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))

    def _track(self, **values):
        """Updates the Mean trackers named in `values`; returns every tracker's result."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # Conditional variants return their labels as conditions; networks then take [x, *conditions].

    def _split_batch(self, data):
        """(samples, conditions) of a training batch; unconditional models ignore labels."""
        return (data[0] if isinstance(data, (tuple, list)) else data), ()

    def _generate(self, z, conditions, training=True):
        return self.generator([z, *conditions] if conditions else z, training=training)

    def _critic(self, conditions, training=True):
        """x -> D(x | conditions), the function penalties differentiate."""
        return lambda x: self.discriminator([x, *conditions] if conditions else x, training=training)

    def _discriminate(self, samples, conditions, training=True):
        """D's scores, with instance noise on its input when set (Sonderby et al. 2016, arXiv:1610.04490)."""
        if self.instance_noise and training:
            samples = samples + self.instance_noise * self._replica_draw(ops.shape(samples)[0], self.sample_shape)
        return self._critic(conditions, training)(samples)

    def _discriminate_both(self, real, fake, conditions):
        """D's scores of the real and the fake batch: one pass over both when no layer of D couples
        the examples of a batch (batch norm normalizes each batch on its own, as DCGAN does)."""
        if couples_batch(self.discriminator):
            return self._discriminate(real, conditions), self._discriminate(fake, conditions)
        both = [ops.concatenate([condition, condition], axis=0) for condition in conditions]
        logits = self._discriminate(ops.concatenate([real, fake], axis=0), both)
        count = ops.shape(real)[0]
        return logits[:count], logits[count:]

    def _penalty(self, real, fake, conditions):
        """The discriminator's penalty term (a scalar), or None without one."""
        if self.penalty == "gp":
            epsilon = self._replica_draw(ops.shape(real)[0], (), keras.random.uniform)
            return ops.mean(penalties.gradient_penalty(self._critic(conditions), real, fake, epsilon))
        if self.penalty == "r1":
            return ops.mean(penalties.r1_penalty(self._critic(conditions), real))
        return None

    def train_step(self, data):
        real, conditions = self._split_batch(data)
        for real_part, conditions_part in self._critic_batches(real, conditions):
            logs = self._discriminator_step(real_part, conditions_part)
        logs.update(self._generator_step(real_part, conditions_part))
        return self._track(**logs)

    def _critic_batches(self, real, conditions):
        """The real batch of each D step: the whole batch each time, or with `split_real_batch` the
        k-th of `discriminator_steps` slices, a fresh real batch per critic update as in WGAN's
        Algorithm 1 (Arjovsky et al. 2017, arXiv:1701.07875; Gulrajani et al. 2017)."""
        steps = self.discriminator_steps
        if not self.split_real_batch or steps == 1:
            return [(real, conditions)] * steps
        count = ops.shape(real)[0]
        # Never an empty slice: a last batch smaller than `steps` repeats its final rows.
        if isinstance(count, int):  # a static batch size keeps the slices' shapes static (XLA)
            size = max(count // steps, 1)
            starts = [min(k * size, count - size) for k in range(steps)]
        else:
            size = tf.maximum(count // steps, 1)
            starts = [tf.minimum(k * size, count - size) for k in range(steps)]
        return [
            (real[start:start + size], tuple(c[start:start + size] for c in conditions)) for start in starts
        ]

    def _discriminator_step(self, real, conditions):
        """One update of D on a real batch and as many fresh fakes; returns the unscaled losses."""
        fake = self._generate(self._training_latent(ops.shape(real)[0]), conditions)
        return self._discriminator_update(real, fake, conditions)

    def _discriminator_update(self, real, fake, conditions):
        """One update of D on a real and a fake batch; returns the unscaled losses."""
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self._discriminate_both(real, fake, conditions)
            adversarial = ops.mean(self.discriminator_loss(real_logits, fake_logits))
            penalty = self._penalty(real, fake, conditions)
            d_loss = adversarial if penalty is None else adversarial + self.penalty_weight * penalty
            scaled = self._scaled(d_loss, self.discriminator_optimizer)
        self._apply(tape, scaled, self.discriminator, self.discriminator_optimizer)
        if self.penalty == "clip":
            penalties.clip_weights(self.discriminator.trainable_variables, self.clip_value)
        logs = {"d_loss": d_loss}
        if penalty is not None:
            logs[PENALTY_METRICS[self.penalty]] = penalty
        if self.loss == "wasserstein":
            logs["wasserstein_estimate"] = -adversarial  # E[f(x)] - E[f(G(z))]
        return logs

    def _generator_step(self, real, conditions):
        """One update of G through D's judgement of fresh fakes (D unrolled on `real` when set); returns the unscaled loss."""
        z = self._training_latent(ops.shape(real)[0])
        with tf.GradientTape() as tape:
            g_loss = self._generator_loss(real, self._generate(z, conditions), conditions)
            scaled = self._scaled(g_loss, self.generator_optimizer)
        self._apply(tape, scaled, self.generator, self.generator_optimizer)
        return {"g_loss": g_loss}

    def _generator_loss(self, real, fake, conditions):
        """G's loss on its fakes: through D, or through D unrolled on `real` when set (Metz et al. 2016)."""
        if self.unrolled_steps:
            fake_logits = unrolling.unrolled_logits(
                self.discriminator, self.discriminator_loss, real, fake, conditions,
                self.unrolled_steps, self.unrolled_learning_rate,
            )
        else:
            fake_logits = self._discriminate(fake, conditions)
        return ops.mean(self.generator_loss(fake_logits))

    def test_step(self, data):
        real, conditions = self._split_batch(data)
        fake = self._generate(self._training_latent(ops.shape(real)[0]), conditions, training=False)
        real_logits = self._discriminate(real, conditions, training=False)
        fake_logits = self._discriminate(fake, conditions, training=False)
        self.trackers["d_loss"].update_state(ops.mean(self.discriminator_loss(real_logits, fake_logits)))
        self.trackers["g_loss"].update_state(ops.mean(self.generator_loss(fake_logits)))
        return {name: self.trackers[name].result() for name in ("d_loss", "g_loss")}

    # --- inference -------------------------------------------------------------------------

    def call(self, z, training=False):
        """Generator inference: `model(z)`, `predict` and exports act on the generator."""
        return self.generator(z, training=training)

    def generate(self, num_images, seed=None, batch_size=256, **conditions):
        """Returns `num_images` samples in [-1, 1] as a numpy array; the same seed, the same samples."""
        if self.sampling_alternative:
            raise TypeError(f"{type(self).__name__} {self.sampling_alternative}")
        if isinstance(num_images, bool) or not isinstance(num_images, (int, np.integer)) or num_images < 1:
            raise ValueError(f"num_images must be a positive integer, got {num_images!r}")
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31 - 1))
        z = self.sample_latent(int(num_images), seed=int(seed))
        return self.predict(self._generation_inputs(z, **conditions), batch_size=batch_size, verbose=0)

    def _generation_inputs(self, z, **conditions):
        """The generator's inputs for `generate`; conditional variants add their labels."""
        if conditions:
            raise TypeError(f"{type(self).__name__} is unconditional: generate() takes no {', '.join(conditions)}")
        return z

    # --- serving -------------------------------------------------------------------------------

    def serving_endpoints(self):
        """What exports serve: signature name -> (function of named tensors, their TensorSpecs).

        `serving_default`: z -> images in [-1, 1] (the only one TFLite takes: no random ops);
        `generate`: (num_images, seed) -> uint8 images, z drawn in the graph exactly as
        `generate(num_images, seed)` draws it.
        """
        z_spec = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        count_spec = tf.TensorSpec([], tf.int32, name="num_images")
        seed_spec = tf.TensorSpec([], tf.int64, name="seed")

        def serving_default(z):
            return {"images": tf.cast(self.generator(z, training=False), tf.float32)}

        def generate(num_images, seed):
            z = tf.random.stateless_normal([num_images, self.latent_dim], seed=tf.stack([seed, tf.zeros_like(seed)]))
            return {"images_uint8": to_uint8(self.generator(z, training=False))}

        return {"serving_default": (serving_default, [z_spec]), "generate": (generate, [count_spec, seed_spec])}

    def serving_networks(self):
        """The networks the serving endpoints run; exports save only their weights."""
        return [self.generator]

    def serving_examples(self, count, seed=0):
        """Inputs of `serving_default` for calibration and parity checks: {"z": (count, latent_dim)}."""
        return {"z": np.asarray(self.sample_latent(count, seed=seed))}

    # --- serialization -----------------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "loss": self.loss,
            "label_smoothing": self.label_smoothing,
            "discriminator_steps": self.discriminator_steps,
            "penalty": self.penalty,
            "penalty_weight": self.penalty_weight,
            "clip_value": self.clip_value,
            "instance_noise": self.instance_noise,
            "unrolled_steps": self.unrolled_steps,
            "unrolled_learning_rate": self.unrolled_learning_rate,
            "split_real_batch": self.split_real_batch,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes nested dicts
        for key, value in config.items():
            if _serialized(value):  # networks and the dtype policy
                config[key] = keras.saving.deserialize_keras_object(value)
            elif isinstance(value, list) and value and all(map(_serialized, value)):  # a list of networks
                config[key] = [keras.saving.deserialize_keras_object(item) for item in value]
        return cls(**config)


def _serialized(value):
    """True for what keras.saving.serialize_keras_object made."""
    return isinstance(value, dict) and "class_name" in value


def couples_batch(network):
    """True when a layer of `network` (nested ones included) mixes the examples of a batch: batch norm."""
    return any(isinstance(layer, keras.layers.BatchNormalization) for layer in network._flatten_layers(include_self=False))


def check_images(images, role, model_name):
    """Raises ValueError unless the numpy array `images` is uint8 or floats in [-1, 1], naming `role`."""
    if images.dtype == np.uint8 or images.size == 0:
        return
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"{role} are {images.dtype} but {model_name} takes uint8 images or floats in [-1, 1]: "
            "convert them with x.astype('uint8') (from [0, 255]) or x.astype('float32') / 127.5 - 1"
        )
    low, high = float(np.min(images)), float(np.max(images))
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{role} hold NaN or infinite values: {model_name} takes images in [-1, 1]")
    if low < -1 - IMAGE_RANGE_TOLERANCE or high > 1 + IMAGE_RANGE_TOLERANCE:
        if low >= 0 and high <= 255:
            fix = "x / 127.5 - 1 (from [0, 255]), or pass them as uint8, which fit scales"
        else:
            fix = "2 * (x - x.min()) / (x.max() - x.min()) - 1"
        raise ValueError(
            f"{role} hold floats in [{low:.4g}, {high:.4g}] but {model_name} takes images in [-1, 1]: scale them with {fix}"
        )


def check_labels(labels, num_classes, role="labels"):
    """`labels` as int32 numpy; ValueError naming `role` unless every one is an integer in [0, num_classes)."""
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{role} must be integers in [0, {num_classes}), got dtype {labels.dtype}")
    outside = labels[(labels < 0) | (labels >= num_classes)]
    if outside.size:
        raise ValueError(f"{role} must be in [0, {num_classes}), got {sorted(set(outside.tolist()))[:5]}")
    return labels.astype("int32")


def labels_in_range(labels, num_classes, model_name):
    """int32 `labels`, asserted in the graph to lie in [0, num_classes): data seen only while training."""
    labels = tf.cast(labels, tf.int32)
    too_large = tf.debugging.assert_less(
        labels, num_classes, message=f"{model_name}: a label in the data is >= num_classes={num_classes}"
    )
    negative = tf.debugging.assert_non_negative(labels, message=f"{model_name}: negative label")
    with tf.control_dependencies([too_large, negative]):
        return tf.identity(labels)


def to_uint8(images):
    """Images in [-1, 1] -> uint8 in [0, 255], rounded."""
    images = tf.clip_by_value(tf.cast(images, tf.float32), -1.0, 1.0)
    return tf.cast(tf.round((images + 1.0) * 127.5), tf.uint8)


def _trainable_variables(networks):
    """The trainable variables of one network or of a list of them, in order."""
    networks = networks if isinstance(networks, (list, tuple)) else [networks]
    return [variable for network in networks for variable in network.trainable_variables]


def _unwrap(optimizer):
    """The optimizer inside a LossScaleOptimizer (compile re-wraps it from the dtype policy)."""
    return getattr(optimizer, "inner_optimizer", optimizer)
