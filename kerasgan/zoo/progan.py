"""ProGAN: progressive growing of GANs (Karras et al. 2018, "Progressive Growing of GANs for Improved Quality,
Stability, and Variation", arXiv:1710.10196)."""
import math

import keras
import tensorflow as tf
from keras import ops

from kerasgan import gan, progressive, registry
from kerasgan.networks import checks
from kerasgan.networks import progan as networks
from kerasgan.registry import Flag

DRIFT_WEIGHT = 0.001


@registry.register("progan")
class ProGAN(gan.GAN):
    """G and D grown from 4x4 by doubling, each new resolution faded in (kerasgan.progressive), trained with
    WGAN-GP plus the drift term, one critic step per generator step (section 6.1 and appendix A.1).

    D minimizes E[D(G(z))] - E[D(x)] + 10 * GP + 0.001 * E[D(x)^2] (the drift term keeps the critic's output
    near 0); Adam(1e-3, beta_1=0, beta_2=0.99, epsilon=1e-8) for both networks. The networks use the
    equalized learning rate, pixel norm in G and the minibatch standard deviation in D (section 4). The paper
    also averages G's weights (decay 0.999): `ema_decay=0.999`.

    `fit` grows the networks as images are seen: 4x4 for `stage_images`, then per doubling a fade-in and a
    stabilization of `stage_images` each (the paper's 800k). The images seen are a variable of the model,
    saved and resumed with it; `level` reads the stage reached. `generate` and the exports give images at
    the final size at that level (the current resolution's, upsampled, while the model is still growing).
    Each training step computes only the resolutions that take part at its level, as the paper's networks
    do (`make_train_function`): one trace per depth, the whole networks' numbers (bit for bit without XLA).

    Args:
        image_shape: (side, side, channels), the side a power of two >= 8 (MNIST: load it at 32).
        latent_dim: length of z (512, the paper's).
        filters: channels at the final resolution, doubling at each halving below it (default 8192 / side,
            the paper's); `max_filters` caps them (512).
        stage_images: images of each fade-in and of each stabilization (800,000); 0 trains the full networks
            from the start, without growing (and builds them without the lower resolutions' toRGB and fromRGB).
        group_size: samples per group of the minibatch standard deviation (4, the authors' code).
        generator, discriminator: progressive networks of one's own (kerasgan.networks.progan).
        gp_weight: lambda of the gradient penalty (10); `penalty_weight` is the same.
        drift_weight: epsilon_drift (0.001).
        **kwargs: the other options of `kerasgan.gan.GAN` (ema_decay, ...).
    """

    unsupported_options = ("constraint", "unrolled_steps", "pack", "split_real_batch")
    zero_unconnected_gradients = True  # the layers a step leaves out (above its depth): 0, as the whole networks'
    cli_flags = (
        Flag("stage_images", int, "ProGAN: images of each fade-in and of each stabilization (0: the full networks from the start)."),
        Flag("max_filters", int, "ProGAN: the most channels of a resolution's layers (512)."),
        Flag("drift_weight", float, "ProGAN: weight of the drift term E[D(x)^2] in the critic's loss (0.001)."),
        Flag("gp_weight", float, "Weight of the gradient penalty; default 10."),
        *(flag for flag in gan.FLAGS if flag.name in ("discriminator_steps", "instance_noise", "diff_augment", "ema_decay")),
        gan.LATENT_DIM,
        Flag("filters", int, "ProGAN: channels at the final resolution, doubling at each halving; default 8192 / side."),
    )

    def __init__(
        self, image_shape=None, latent_dim=None, filters=None, max_filters=512, stage_images=800_000, group_size=4,
        generator=None, discriminator=None, gp_weight=None, drift_weight=DRIFT_WEIGHT, penalty_weight=None, **kwargs,
    ):
        for option in ("loss", "penalty"):
            if kwargs.pop(option, None) not in (None, {"loss": "wasserstein", "penalty": "gp"}[option]):
                raise ValueError(f"ProGAN's critic is WGAN-GP's: {option} cannot be set (drift_weight and gp_weight can)")
        image_shape, latent_dim = checks.image_settings("ProGAN", image_shape, latent_dim, generator, default_latent_dim=512)
        sides = networks.resolutions(image_shape)  # ValueError for a side that cannot be grown to
        growing = progressive.check_stage_images(stage_images) > 0
        if generator is None:
            generator = networks.build_generator(image_shape, latent_dim, filters, max_filters, growing)
        if discriminator is None:
            discriminator = networks.build_discriminator(image_shape, filters, max_filters, group_size, growing)
        if growing and not (progressive.leveled_layers(generator) and progressive.leveled_layers(discriminator)):
            raise ValueError(
                "ProGAN grows its networks: give it progressive ones (kerasgan.networks.progan), or leave them out, or set stage_images=0"
            )
        if not drift_weight >= 0:
            raise ValueError(f"drift_weight must be >= 0, got {drift_weight!r}")
        weight = gp_weight if gp_weight is not None else penalty_weight
        kwargs.setdefault("discriminator_steps", 1)
        super().__init__(generator, discriminator, loss="wasserstein", penalty="gp", penalty_weight=weight, **kwargs)
        self.image_shape = tuple(image_shape)
        self.filters = filters
        self.max_filters = max_filters
        self.group_size = group_size
        self.stage_images = progressive.check_stage_images(stage_images)
        self.drift_weight = float(drift_weight)
        self.levels = len(sides)
        self.images_seen = keras.Variable(
            0, dtype="int64", trainable=False, aggregation="only_first_replica", name="images_seen"
        )
        progressive.set_level(self.leveled_networks(), self.level_after(0))
        self._parts = _Parts()

    def default_generator_optimizer(self):
        """Adam(1e-3, beta_1=0, beta_2=0.99, epsilon=1e-8), the paper's for both networks (appendix A.1)."""
        return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8)

    @classmethod
    def data_arguments(cls, element_spec, flags):
        return {"image_shape": gan.image_shape_of(cls.__name__, element_spec, flags)}

    # --- growing ---------------------------------------------------------------------------------

    def level_after(self, images_seen):
        """The level (kerasgan.progressive.level_at) after `images_seen` images."""
        return progressive.level_at(images_seen, self.stage_images, self.levels)

    @property
    def level(self):
        """The level reached: 0 at 4x4, k when the k-th doubling is in, fractional during a fade."""
        return float(self.level_after(self.images_seen))

    @property
    def resolution(self):
        """The side of the highest resolution that takes part in the output now."""
        return networks.START * 2 ** math.ceil(self.level)

    def depth_after(self, images_seen):
        """How many doublings above 4x4 take part in the step after `images_seen` images: ceil(level)."""
        return math.ceil(float(self.level_after(images_seen)))

    def networks_at(self, depth):
        """(G, D) as a training step at `depth` runs them: the parts that take part while the level is at most
        `depth` (kerasgan.networks.progan.generator_at, discriminator_at), sharing the networks' weights; the
        whole networks at the top depth, for depth None, and for networks of one's own."""
        if depth is None or depth >= self.levels - 1:
            return self.generator, self.discriminator
        if depth not in self._parts.by_depth:
            parts = networks.generator_at(self.generator, depth), networks.discriminator_at(self.discriminator, depth)
            self._parts.by_depth[depth] = parts if None not in parts else (self.generator, self.discriminator)
        return self._parts.by_depth[depth]

    def step_generator(self):
        return self.networks_at(self._parts.depth)[0]

    def step_discriminator(self):
        return self.networks_at(self._parts.depth)[1]

    def make_train_function(self, force=False):
        """Keras' train function, which while the networks grow calls a function of its own for each depth,
        traced with the parts of the networks at that depth when first reached: below the top resolution a
        step costs a fraction of the whole networks' (the layers above the level would be weighted 0).
        With steps_per_execution > 1 (a call spans steps at several levels) every step runs the whole
        networks."""
        if self.train_function is not None and not force:
            return self.train_function
        self._parts.depth = None
        if not self.stage_images or self.steps_per_execution != 1:
            super().make_train_function(force=True)
            return self.train_function
        jit_compile, by_depth = self.jit_compile, {}

        def train_function(iterator):
            depth = self.depth_after(int(ops.convert_to_numpy(self.images_seen)))
            if depth not in by_depth:
                current, setting = self.train_function, self.jit_compile
                self.jit_compile = jit_compile
                super(ProGAN, self).make_train_function(force=True)
                by_depth[depth], self.train_function, self.jit_compile = self.train_function, current, setting
            self._parts.depth = depth  # what the step reads when by_depth[depth] traces it
            try:
                return by_depth[depth](iterator)
            finally:
                self._parts.depth = None  # a train_step called on its own runs the whole networks

        self.train_function = train_function
        return train_function

    def leveled_networks(self):
        return [self.generator, self.discriminator] + ([self.averaged_generator] if self.ema_decay else [])

    def train_step(self, data):
        progressive.set_level(self.leveled_networks(), self.level_after(self.images_seen))
        logs = super().train_step(data)
        real, _ = self.split_batch(data)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.images_seen.assign_add(ops.cast(ops.shape(real)[0] * replicas, "int64"))
        return logs

    def extra_discriminator_terms(self, real_logits, fake_logits):
        """The drift term, E[D(x)^2] on the real batch (appendix A.1)."""
        return {"drift": (self.drift_weight, ops.mean(ops.square(real_logits)))}

    def discriminator_metric_names(self):
        return super().discriminator_metric_names() + ["drift"]

    def get_config(self):
        config = super().get_config()
        for option in ("loss", "penalty", "constraint", "unrolled_steps", "unrolled_learning_rate", "pack", "split_real_batch"):
            config.pop(option, None)
        config.update(
            {
                "image_shape": self.image_shape, "latent_dim": self.latent_dim, "filters": self.filters,
                "max_filters": self.max_filters, "stage_images": self.stage_images, "group_size": self.group_size,
                "gp_weight": self.penalty_weight, "drift_weight": self.drift_weight,
            }
        )
        return config


class _Parts:
    """ProGAN's parts of its networks by depth, and the depth of the step being traced; a plain object, so
    that Keras does not track the parts (their weights are the networks')."""

    def __init__(self):
        self.by_depth, self.depth = {}, None
