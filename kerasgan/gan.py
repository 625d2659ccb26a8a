"""GAN: a generator G and a discriminator D trained in turns by `fit` (Goodfellow et al. 2014).

k discriminator updates per generator update, as Algorithm 1 of arXiv:1406.2661, with the
options the variants of the zoo need: the loss family (kerasgan.losses), a penalty added to
D's loss and a constraint applied after each D update (kerasgan.penalties), one-sided label
smoothing, instance noise, an unrolled discriminator for G's loss, and conditions (class
labels) given to both networks. Variants subclass `GAN` and override `discriminator_update`
or `generator_loss_of`.
"""
import keras
import tensorflow as tf
from keras import ops

from kerasgan import augment, averaging, batches, losses, packing, penalties, sampling, unrolling
from kerasgan.adversarial import AdversarialModel
from kerasgan.networks import checks
from kerasgan.registry import Flag

DEFAULT_UNROLLED_LEARNING_RATE = 0.01
# What a GAN takes besides its networks, with the defaults; a variant's `unsupported_options`
# names those its own step does not apply (a non-default value is then a ValueError).
OPTIONS = {
    "loss": "non_saturating",
    "label_smoothing": 0.0,
    "discriminator_steps": 1,
    "penalty": None,
    "constraint": None,
    "instance_noise": 0.0,
    "unrolled_steps": 0,
    "unrolled_learning_rate": DEFAULT_UNROLLED_LEARNING_RATE,
    "split_real_batch": False,
    "pack": 1,
    "diff_augment": "",
}


# The command-line flags of the options above (kerasgan.registry.Flag), and of the networks most variants share.
FLAGS = (
    Flag("loss", str, "Loss family.", values=tuple(losses.FAMILIES)[:5]),
    Flag("label_smoothing", float, "One-sided label smoothing: real targets become 1 - this."),
    Flag("discriminator_steps", int, "Discriminator updates per generator update (k); default: the model's (its paper's k)."),
    Flag("penalty", str, "Discriminator penalty: gp or r1 (a loss term), clip (weight clipping).", values=("gp", "r1", "clip")),
    Flag("penalty_weight", float, "Weight of the gp / r1 penalty; default 10."),
    Flag("clip_value", float, "Weight clipping bound c (penalty=clip); default 0.01."),
    Flag("instance_noise", float, "Std of Gaussian noise added to the discriminator's inputs."),
    Flag("unrolled_steps", int, "G's loss through D unrolled this many steps (Metz et al. 2016)."),
    Flag("unrolled_learning_rate", float, "Step size of the unrolled discriminator's gradient steps."),
    Flag("split_real_batch", bool, "Give each discriminator step its own slice of the batch (a fresh real batch per critic update)."),
    Flag("pack", int, "PacGAN: the discriminator judges this many samples joined together (Lin et al. 2018); default 1."),
    Flag("diff_augment", str, "DiffAugment (Zhao et al. 2020): D sees real and fake images through these of color,translation,cutout."),
    averaging.FLAG,
)
LATENT_DIM = Flag("latent_dim", int, "Length of z; default: the model's (100 for images, 2 for points).")
FILTERS = Flag("filters", int, "Filters of the networks' first convolution; default 64.")
DENSE_UNITS = Flag("dense_units", int, "Width of a hidden dense layer in G and D (InfoGAN's networks: 1024); default 0: none.")


def sample_shape_of(element_spec):
    """The shape of one example of the first part of a dataset's batches."""
    first = element_spec
    while isinstance(first, (tuple, list)):
        first = first[0]
    return tuple(first.shape[1:])


def image_shape_of(model_name, element_spec, flags):
    """The image shape of a dataset for an image model; ValueError for other samples."""
    shape = sample_shape_of(element_spec)
    if len(shape) != 3:
        raise ValueError(f"{model_name} trains on images; {flags.dataset} yields samples of shape {shape}")
    return shape


class GAN(sampling.LatentSampler, AdversarialModel):
    """A generator and a discriminator trained by `fit` (Goodfellow et al. 2014, Algorithm 1).

    Subclasses build `generator` and `discriminator` (functional keras.Models) and pass them
    in; the generator's output must fit the discriminator's input.

    Args:
        generator: maps z of shape (batch, latent_dim) (and the conditions) to samples.
        discriminator: maps samples (and the conditions) to logits.
        loss: the loss family: "minimax", "non_saturating", "least_squares", "hinge", "wasserstein".
        label_smoothing: one-sided: real targets become 1 - this (Salimans et al. 2016).
        discriminator_steps: k, D updates per G update.
        penalty: a term added to D's loss: "gp" (Gulrajani et al. 2017), "r1" (Mescheder et al.
            2018), a `kerasgan.penalties` object, or None. "clip" is taken as `constraint="clip"`.
        penalty_weight: the weight of a penalty given by name (default 10); read only with one.
        constraint: applied to D's weights after each update: "clip" or
            `kerasgan.penalties.WeightClipping(c)` (Arjovsky et al. 2017), or None.
        clip_value: c of a constraint given by name (default 0.01); read only with one.
        instance_noise: std of Gaussian noise on D's inputs (Sonderby et al. 2016, arXiv:1610.04490).
        unrolled_steps: G's loss through D unrolled this many steps (Metz et al. 2016, arXiv:1611.02163).
        unrolled_learning_rate: the step size of the unrolled D.
        split_real_batch: give each of the k D updates its own slice of the batch, a fresh real
            batch per critic update as in WGAN's Algorithm 1.
        pack: m, the samples D judges together, joined along their last axis (PacGAN, Lin et al.
            2018, arXiv:1712.04086; kerasgan.packing): D then takes m times the channels.
        diff_augment: DiffAugment (Zhao et al. 2020, arXiv:2006.10738; kerasgan.augment): a comma-separated
            list of "color", "translation" and "cutout" that every image D judges, real or fake, goes through
            in training (and the penalties see the same); "" (the default): none. Images only.
        ema_decay: when > 0, an exponential moving average of G's weights with this decay
            (kerasgan.averaging; Yazıcı et al. 2019, arXiv:1806.04498) is kept in
            `averaged_generator`, and sampling, scores and exports use it; at the end of `fit` its
            batch-norm statistics are computed anew from its own weights. 0: G itself.
        seed: the seed of z, epsilon and the noise.
    """

    unsupported_options = ()
    cli_flags = FLAGS

    def __init__(
        self,
        generator,
        discriminator,
        loss="non_saturating",
        label_smoothing=0.0,
        discriminator_steps=1,
        penalty=None,
        penalty_weight=None,
        constraint=None,
        clip_value=None,
        instance_noise=0.0,
        unrolled_steps=0,
        unrolled_learning_rate=DEFAULT_UNROLLED_LEARNING_RATE,
        split_real_batch=False,
        pack=1,
        diff_augment="",
        ema_decay=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        if isinstance(penalty, str) and penalty in penalties.CONSTRAINTS:  # kerasgan 0.1.0's penalty="clip"
            penalty, constraint = None, penalty
        options = {
            "loss": loss, "label_smoothing": label_smoothing, "discriminator_steps": discriminator_steps,
            "penalty": penalty, "constraint": constraint, "instance_noise": instance_noise,
            "unrolled_steps": unrolled_steps, "unrolled_learning_rate": unrolled_learning_rate,
            "split_real_batch": split_real_batch, "pack": pack, "diff_augment": diff_augment or "",
        }
        packing.check_pack(pack)
        _check_options(type(self).__name__, options, self.unsupported_options, self.conditional)
        self.pack = pack
        self.check_networks(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.sample_shape = tuple(int(d) for d in generator.outputs[0].shape[1:])
        self.loss = loss
        self.label_smoothing = float(label_smoothing)
        self.generator_loss, self.discriminator_loss = losses.get(loss, self.label_smoothing)
        self.discriminator_steps = discriminator_steps
        self.penalty = penalties.get(penalty, penalty_weight)
        self.constraint = penalties.get_constraint(constraint, clip_value)
        self.instance_noise = float(instance_noise)
        self.unrolled_steps = unrolled_steps
        self.unrolled_learning_rate = float(unrolled_learning_rate)
        self.split_real_batch = split_real_batch
        self.augmentations = augment.parse(diff_augment)  # the policies, in DiffAugment's order
        if self.augmentations and len(self.sample_shape) != 3:
            raise ValueError(f"diff_augment transforms images; {type(self).__name__} makes samples of shape {self.sample_shape}")
        self.ema_decay = averaging.checked_decay(ema_decay)
        self.averaged_generator = averaging.averaged_copy(generator) if self.ema_decay else None
        self.track_metrics(generator=["g_loss"], discriminator=self.discriminator_metric_names())

    def discriminator_metric_names(self):
        """d_loss, the Wasserstein estimate with that loss, and the penalty's name with one."""
        names = ["d_loss"]
        if self.loss == "wasserstein":
            names.append("wasserstein_estimate")
        if self.penalty is not None:
            names.append(self.penalty.name)
        return names

    @property
    def penalty_weight(self):
        return self.penalty.weight if self.penalty is not None else 0.0

    def check_networks(self, generator, discriminator):
        """Raises ValueError unless G maps (batch, latent) to what D takes."""
        checks.check_network("generator", generator)
        checks.check_network("discriminator", discriminator)
        if len(generator.inputs) != 1:
            raise ValueError(f"generator must take one input of shape (batch, latent_dim), got {generator.inputs}")
        checks.check_fit(generator, discriminator, self.pack)

    def generator_networks(self):
        return [self.generator]

    def discriminator_networks(self):
        return [self.discriminator]

    def default_generator_optimizer(self):
        """DCGAN's Adam(2e-4, 0.5), or the paper's of the penalty or constraint (WGAN-GP's Adam, WGAN's RMSprop)."""
        for regularizer in (self.penalty, self.constraint):
            if hasattr(regularizer, "default_optimizer"):
                return regularizer.default_optimizer()
        return super().default_generator_optimizer()

    def batch(self):
        """Samples; the labels of a labelled dataset are ignored."""
        made_by = "batch the samples, e.g. kerasgan.data.load(name, batch_size=64)"
        reason = (
            f"split_real_batch gives each of the {self.discriminator_steps} discriminator steps a slice of the batch"
        )
        return batches.Batch(
            type(self).__name__, batches.Part("images", self.sample_shape), made_by,
            min_size=(self.discriminator_steps if self.split_real_batch else 1) * self.pack, min_size_reason=reason,
        )

    # --- the training step (Algorithm 1) ------------------------------------------------------

    def train_step(self, data):
        real, conditions = self.split_batch(data)
        for real_part, conditions_part in self.critic_batches(real, conditions):
            fake = self.generate_batch(self.training_latent(ops.shape(real_part)[0]), conditions_part)
            logs = self.discriminator_update(real_part, fake, conditions_part)
        logs.update(self.generator_update(real_part, conditions_part))
        if self.ema_decay:
            averaging.update_all([self.averaged_generator], [self.generator], self.generator_optimizer.iterations, self.ema_decay)
        return self.track(**logs)

    def discriminator_update(self, real, fake, conditions):
        """One update of D on a real and a fake batch; returns the unscaled losses."""
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self.discriminate_both(real, fake, conditions)
            adversarial = ops.mean(self.discriminator_loss(real_logits, fake_logits))
            logs = {"d_loss": adversarial}
            if self.penalty is not None:
                logs[self.penalty.name] = self.penalty(self.critic_function(conditions), real, fake, self.replica_draw)
                logs["d_loss"] = adversarial + self.penalty.weight * logs[self.penalty.name]
            for name, (weight, value) in self.extra_discriminator_terms(real_logits, fake_logits).items():
                logs[name] = value
                logs["d_loss"] = logs["d_loss"] + weight * value
            scaled = self.scaled_loss(logs["d_loss"], self.discriminator_optimizer)
        self.apply_update(tape, scaled, self.discriminator_networks(), self.discriminator_optimizer)
        if self.constraint is not None:
            self.constraint(self.discriminator.trainable_variables)
        if self.loss == "wasserstein":
            logs["wasserstein_estimate"] = -adversarial  # E[f(x)] - E[f(G(z))]
        return logs

    def extra_discriminator_terms(self, real_logits, fake_logits):
        """Terms a variant adds to D's loss, {name: (weight, value)}, each logged under its name; none here."""
        return {}

    def generator_update(self, real, conditions):
        """One update of G through D's judgement of fresh fakes; returns the unscaled loss."""
        z = self.training_latent(ops.shape(real)[0])
        with tf.GradientTape() as tape:
            g_loss = self.generator_loss_of(real, self.generate_batch(z, conditions), conditions)
            scaled = self.scaled_loss(g_loss, self.generator_optimizer)
        self.apply_update(tape, scaled, self.generator_networks(), self.generator_optimizer)
        return {"g_loss": g_loss}

    def generator_loss_of(self, real, fake, conditions):
        """G's loss on its fakes: through D, or through D unrolled on `real` when set (Metz et al. 2016)."""
        if self.unrolled_steps:
            fake_logits = unrolling.unrolled_logits(
                self.discriminator, self.discriminator_loss, real, fake, conditions,
                self.unrolled_steps, self.unrolled_learning_rate,
            )
        else:
            fake_logits = self.discriminate(fake, conditions)
        return ops.mean(self.generator_loss(fake_logits))

    def test_step(self, data):
        real, conditions = self.split_batch(data)
        fake = self.generate_batch(self.training_latent(ops.shape(real)[0]), conditions, training=False)
        real_logits = self.discriminate(real, conditions, training=False)
        fake_logits = self.discriminate(fake, conditions, training=False)
        return self.report(
            d_loss=ops.mean(self.discriminator_loss(real_logits, fake_logits)),
            g_loss=ops.mean(self.generator_loss(fake_logits)),
        )

    def fit(self, x=None, y=None, **kwargs):
        """AdversarialModel.fit; then, with `ema_decay`, `recompute_average_statistics`, so that the averaged
        generator normalises with statistics of its own weights."""
        history = super().fit(x, y, **kwargs)
        if self.ema_decay:
            self.recompute_average_statistics()
        return history

    def recompute_average_statistics(self, batches=averaging.STANDING_BATCHES, batch_size=256):
        """Sets the averaged generator's batch-norm statistics to their mean over `batches` batches of
        `batch_size` samples (averaging.recompute_statistics; z of seeds 0 .. batches - 1, labels cycled)."""
        if not self.ema_decay:
            raise ValueError(f"{type(self).__name__} keeps no average to recompute: build it with ema_decay > 0, e.g. 0.999")

        def draw(i):
            inputs = self.generation_inputs(self.sample_latent(batch_size, seed=i))
            return [ops.convert_to_tensor(x) for x in inputs] if isinstance(inputs, list) else inputs

        averaging.recompute_statistics(self.averaged_generator, draw, batches)

    # --- the parts of the step ----------------------------------------------------------------

    def split_batch(self, data):
        """(samples, conditions) of a training batch; conditional variants return their labels as conditions."""
        return (data[0] if isinstance(data, (tuple, list)) else data), ()

    def critic_batches(self, real, conditions):
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
        return [(real[start:start + size], tuple(c[start:start + size] for c in conditions)) for start in starts]

    def training_latent(self, batch_size):
        """z for the step: this replica's rows of one global N(0, I) draw."""
        return self.replica_draw(batch_size, (self.latent_dim,))

    def generate_batch(self, z, conditions, training=True):
        generator = self.step_generator() if training else self.generator
        return generator([z, *conditions] if conditions else z, training=training)

    def step_generator(self):
        """The generator the training step runs: G (ProGAN: the part of G up to the resolution it trains)."""
        return self.generator

    def step_discriminator(self):
        """The discriminator the training step runs: D (ProGAN: the part of D from the resolution it trains)."""
        return self.discriminator

    def critic_function(self, conditions, training=True):
        """x -> D(x | conditions), the function penalties differentiate; with `pack`, D of x's packs; with
        `diff_augment`, in training, D of x's augmentations (kerasgan.augment)."""
        policies = self.augmentations if training else ()
        seen = lambda x: augment.diff_augment(x, policies, self.uniform_draw(x)) if policies else x  # noqa: E731
        discriminator = self.step_discriminator() if training else self.discriminator
        if self.pack > 1:
            return lambda x: discriminator(packing.pack_samples(seen(x), self.pack), training=training)
        return lambda x: discriminator([seen(x), *conditions] if conditions else seen(x), training=training)

    @property
    def diff_augment(self):
        """The DiffAugment policies as the argument names them, e.g. "translation,cutout"."""
        return ",".join(self.augmentations)

    def uniform_draw(self, samples):
        """shape -> U(0, 1) of (len(samples),) + shape: this replica's rows of one global draw."""
        return lambda shape: self.replica_draw(ops.shape(samples)[0], shape, distribution=keras.random.uniform)

    def discriminate(self, samples, conditions, training=True):
        """D's scores, with instance noise on its input when set (Sonderby et al. 2016, arXiv:1610.04490)."""
        if self.instance_noise and training:
            samples = samples + self.instance_noise * self.replica_draw(ops.shape(samples)[0], self.sample_shape)
        return self.critic_function(conditions, training)(samples)

    def discriminate_both(self, real, fake, conditions):
        """D's scores of the real and the fake batch: one pass over both when no layer of D couples
        the examples of a batch (batch norm normalizes each batch on its own, as in Radford et al. 2015)."""
        if checks.couples_batch(self.discriminator) or self.pack > 1:  # packs never join real and fake samples
            return self.discriminate(real, conditions), self.discriminate(fake, conditions)
        both = [ops.concatenate([condition, condition], axis=0) for condition in conditions]
        logits = self.discriminate(ops.concatenate([real, fake], axis=0), both)
        count = ops.shape(real)[0]
        return logits[:count], logits[count:]

    # --- inference -------------------------------------------------------------------------

    def sampling_generator(self):
        """The generator that samples, scores and is exported: the averaged one with `ema_decay` (unless
        `use_average` is set False), else G."""
        return self.averaged_generator if self.averages_in_use() else self.generator

    # --- serialization -----------------------------------------------------------------------

    def network_config(self):
        """The networks by constructor argument; variants with other networks override this."""
        return {"generator": self.generator, "discriminator": self.discriminator}

    def get_config(self):
        config = super().get_config()
        config.update({name: keras.saving.serialize_keras_object(value) for name, value in self.network_config().items()})
        config.update(
            {
                "loss": self.loss,
                "label_smoothing": self.label_smoothing,
                "discriminator_steps": self.discriminator_steps,
                "penalty": keras.saving.serialize_keras_object(self.penalty),
                "constraint": keras.saving.serialize_keras_object(self.constraint),
                "instance_noise": self.instance_noise,
                "unrolled_steps": self.unrolled_steps,
                "unrolled_learning_rate": self.unrolled_learning_rate,
                "split_real_batch": self.split_real_batch,
                "pack": self.pack,
                "diff_augment": self.diff_augment,
                "ema_decay": self.ema_decay,
            }
        )
        return config


def _check_options(model_name, options, unsupported, conditional):
    """Raises ValueError for a bad option, or a non-default one that `model_name`'s own step does not apply."""
    for name in unsupported:
        if options[name] != OPTIONS[name]:
            raise ValueError(f"{model_name} has its own training step: {name} does not apply to it (got {options[name]!r})")
    steps = options["discriminator_steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"discriminator_steps must be an integer >= 1, got {steps!r}")
    if not options["instance_noise"] >= 0:
        raise ValueError(f"instance_noise is a standard deviation: it must be >= 0, got {options['instance_noise']!r}")
    unrolled = options["unrolled_steps"]
    if isinstance(unrolled, bool) or not isinstance(unrolled, int) or unrolled < 0:
        raise ValueError(f"unrolled_steps must be an integer >= 0 (0: no unrolling), got {unrolled!r}")
    if not options["unrolled_learning_rate"] > 0:
        raise ValueError(f"unrolled_learning_rate must be > 0, got {options['unrolled_learning_rate']!r}")
    if not isinstance(options["split_real_batch"], bool):
        raise ValueError(f"split_real_batch must be True or False, got {options['split_real_batch']!r}")
    if options["diff_augment"] and unrolled:
        raise ValueError(f"{model_name} cannot augment for an unrolled discriminator, which judges the samples as they are: "
                         "leave diff_augment or unrolled_steps out")
    if options["pack"] > 1 and (conditional or unrolled):
        reason = "its discriminator takes one label per sample" if conditional else "the unrolled discriminator judges single samples"
        raise ValueError(f"{model_name} cannot pack samples: {reason}; leave pack at 1")
