"""The reference configurations of docs/protocols.md section 5 and plain hand-written Keras train steps for them.

The networks are the protocol's, built once and cloned, so that kerasgan and the hand-written
step start from the same weights. The steps follow the keras.io examples (Keras 3 versions):
`HandWrittenWGANGP` the WGAN-GP example (separate critic calls on real and fake, the penalty on
random interpolates, `critic_steps` critic updates then one generator update, Adam(1e-4, 0.5, 0.9));
`HandWrittenDCGAN` the DCGAN example (one discriminator call on the concatenated fake and real
batch, noisy labels, binary cross-entropy, Adam(2e-4, 0.5)), on logits since the protocol's
discriminator ends in Dense(1). Both pass training=True explicitly, as kerasgan does. The last layers
compute in float32 under a mixed policy, as Keras' mixed-precision guide advises and kerasgan's networks do.
"""
import keras
import tensorflow as tf
from keras import layers, ops

WGAN_GP = {"image_shape": (28, 28, 1), "batch_size": 64, "latent_dim": 32, "critic_steps": 2}
DCGAN = {"image_shape": (32, 32, 1), "batch_size": 64, "latent_dim": 100}


def wgan_gp_networks():
    """The WGAN-GP reference networks: (generator, critic)."""
    z = keras.Input((WGAN_GP["latent_dim"],))
    x = layers.Dense(7 * 7 * 32, activation="relu")(z)
    x = layers.Reshape((7, 7, 32))(x)
    x = layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu")(x)
    images = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", dtype="float32")(x)
    generator = keras.Model(z, images, name="generator")
    inputs = keras.Input(WGAN_GP["image_shape"])
    x = layers.LeakyReLU(0.2)(layers.Conv2D(16, 4, strides=2, padding="same")(inputs))
    x = layers.LeakyReLU(0.2)(layers.Conv2D(32, 4, strides=2, padding="same")(x))
    scores = layers.Dense(1, dtype="float32")(layers.Flatten()(x))
    return generator, keras.Model(inputs, scores, name="critic")


def dcgan_networks():
    """The DCGAN reference networks: (generator, discriminator); batch norm as in DCGAN, no bias before it."""
    z = keras.Input((DCGAN["latent_dim"],))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(z)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((4, 4, 256))(x)
    for filters in (128, 64):
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    images = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", dtype="float32")(x)
    generator = keras.Model(z, images, name="generator")
    inputs = keras.Input(DCGAN["image_shape"])
    x = layers.LeakyReLU(0.2)(layers.Conv2D(64, 4, strides=2, padding="same")(inputs))
    for filters in (128, 256):
        x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x))
    logits = layers.Dense(1, dtype="float32")(layers.Flatten()(x))
    return generator, keras.Model(inputs, logits, name="discriminator")


def clone(network):
    """A copy of `network` with the same weights (fresh variables)."""
    copy = keras.models.clone_model(network)
    copy.set_weights(network.get_weights())
    return copy


class HandWrittenWGANGP(keras.Model):
    """WGAN-GP as in the keras.io example (Gulrajani et al. 2017, arXiv:1704.00028)."""

    def __init__(self, generator, critic, latent_dim, critic_steps=2, gp_weight=10.0):
        super().__init__()
        self.generator, self.critic = generator, critic
        self.latent_dim, self.critic_steps, self.gp_weight = latent_dim, critic_steps, gp_weight
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.d_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
        self.g_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def gradient_penalty(self, batch_size, real_images, fake_images):
        """(||grad critic(x_hat)|| - 1)^2 on interpolates x_hat, averaged."""
        alpha = keras.random.uniform((batch_size, 1, 1, 1), seed=self.seed_generator)
        interpolated = real_images + alpha * (fake_images - real_images)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.critic(interpolated, training=True)
        grads = gp_tape.gradient(pred, interpolated)
        norm = ops.sqrt(ops.sum(ops.square(grads), axis=[1, 2, 3]))
        return ops.mean((norm - 1.0) ** 2)

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]
        # critic steps
        for _ in range(self.critic_steps):
            z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                fake_images = self.generator(z, training=True)
                fake_logits = self.critic(fake_images, training=True)
                real_logits = self.critic(real_images, training=True)
                d_cost = ops.mean(fake_logits) - ops.mean(real_logits)
                gp = self.gradient_penalty(batch_size, real_images, fake_images)
                d_loss = d_cost + gp * self.gp_weight
            gradients = tape.gradient(d_loss, self.critic.trainable_variables)
            self.d_optimizer.apply_gradients(zip(gradients, self.critic.trainable_variables))
        # generator step
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            g_loss = -ops.mean(self.critic(self.generator(z, training=True), training=True))
        gradients = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(gradients, self.generator.trainable_variables))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


class HandWrittenDCGAN(keras.Model):
    """DCGAN as in the keras.io example (Radford et al. 2015, arXiv:1511.06434); labels: fake 1, real 0."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]
        # discriminator step
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        generated_images = self.generator(z, training=True)
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(labels, self.discriminator(combined_images, training=True))
        gradients = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(gradients, self.discriminator.trainable_variables))
        # generator step
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = ops.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.loss_fn(misleading_labels, predictions)
        gradients = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(gradients, self.generator.trainable_variables))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}
