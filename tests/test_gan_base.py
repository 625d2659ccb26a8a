"""Behaviour of the GAN base class through DCGAN and the MLP GAN: options, precision, bad input."""
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import testing
from kerasgan.networks import dcgan as dcgan_networks
from kerasgan.zoo import DCGAN, GAN


def tiny_dcgan(**kwargs):
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, **kwargs)


@pytest.mark.parametrize("size,blocks", [(8, 1), (16, 2), (28, 2), (32, 3), (64, 4), (128, 5)])
def test_depth_follows_image_size(size, blocks):
    assert dcgan_networks.upsampling_blocks((size, size, 3)) == blocks


def test_dcgan_sizes_networks_from_image_shape():
    model = DCGAN(image_shape=(64, 32, 3), latent_dim=16, filters=8)
    assert model.generator.output_shape == (None, 64, 32, 3)
    assert model.discriminator.output_shape == (None, 1)
    # one Conv2DTranspose per stride-2 block: 32 -> 4 takes 3
    assert sum(isinstance(layer, keras.layers.Conv2DTranspose) for layer in model.generator.layers) == 3


@pytest.mark.parametrize("shape", [(15, 15, 1), (6, 6, 1), (16, 16), (16, 16, 0)])
def test_impossible_image_shape_is_a_clear_error(shape):
    with pytest.raises(ValueError, match="DCGAN cannot make images of shape|image_shape must be"):
        DCGAN(image_shape=shape)


def test_user_networks_are_used_and_checked():
    generator = dcgan_networks.build_generator((16, 16, 1), latent_dim=5, filters=4)
    discriminator = dcgan_networks.build_discriminator((16, 16, 1), filters=4)
    model = DCGAN(generator=generator, discriminator=discriminator)
    assert model.generator is generator and model.latent_dim == 5 and model.image_shape == (16, 16, 1)
    with pytest.raises(ValueError, match=r"makes samples of shape \(16, 16, 1\) but the discriminator takes \(32, 32, 1\)"):
        DCGAN(generator=generator, discriminator=dcgan_networks.build_discriminator((32, 32, 1), filters=4))
    with pytest.raises(ValueError, match="disagrees with latent_dim=5 and sample shape"):
        DCGAN(image_shape=(32, 32, 1), generator=generator)
    with pytest.raises(ValueError, match="must be a built keras.Model"):
        DCGAN(generator=lambda z: z, discriminator=discriminator)


def test_generate_is_deterministic_per_seed_and_in_range():
    model = tiny_dcgan(seed=0)
    first, again, other = model.generate(5, seed=7), model.generate(5, seed=7), model.generate(5, seed=8)
    assert first.shape == (5, 16, 16, 1) and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert first.min() >= -1.0 and first.max() <= 1.0


@pytest.mark.parametrize("count", [0, -3, 2.5, True])
def test_generate_rejects_non_positive_counts(count):
    with pytest.raises(ValueError, match="num_images must be a positive integer"):
        tiny_dcgan().generate(count)


@pytest.mark.parametrize(
    "data,message",
    [
        (np.zeros((4, 16, 16), "float32"), r"batches of shape \(None, 16, 16\) but DCGAN takes"),
        (np.zeros((4, 32, 32, 1), "float32"), r"batches of shape \(None, 32, 32, 1\)"),
        (np.zeros((4, 16, 16, 1), "int32"), r"int32 values but DCGAN takes uint8 images or floats in \[-1, 1\]"),
        (tf.data.Dataset.from_tensor_slices(np.zeros((4, 16, 16, 1), "float32")), "single examples"),
    ],
)
def test_fit_rejects_data_of_the_wrong_rank_shape_or_dtype(data, message):
    model = tiny_dcgan()
    model.compile()
    with pytest.raises(ValueError, match=message):
        model.fit(data, epochs=1, verbose=0)


def test_fit_accepts_image_label_pairs_and_ignores_labels():
    model = tiny_dcgan()
    model.compile()
    dataset = tf.data.Dataset.from_tensors((np.zeros((4, 16, 16, 1), "float32"), np.zeros((4,), "int32")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(dataset, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    assert not [w for w in caught if "shuffle" in str(w.message)], "a dataset shuffles itself: no Keras warning"


def test_compile_defaults_are_the_papers_and_optimizers_are_built():
    model = tiny_dcgan()
    model.compile()
    for optimizer in (model.generator_optimizer, model.discriminator_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert optimizer.built
        assert float(optimizer.learning_rate) == pytest.approx(2e-4) and optimizer.beta_1 == 0.5
    with pytest.raises(ValueError, match="two optimizer instances"):
        shared = keras.optimizers.Adam()
        model.compile(generator_optimizer=shared, discriminator_optimizer=shared)


def test_loss_options_reach_the_step():
    model = GAN(units=8, depth=1, loss="hinge", seed=0)
    model.compile()
    history = testing.fit_steps(model, np.ones((8, 2), "float32"), 1)
    assert np.isfinite(history.history["g_loss"][0])
    with pytest.raises(ValueError, match="unknown loss"):
        GAN(loss="nope")
    with pytest.raises(ValueError, match="discriminator_steps must be an integer >= 1"):
        GAN(discriminator_steps=0)


def test_label_smoothing_changes_the_discriminator_loss():
    batch = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    results = []
    for smoothing in (0.0, 0.3):
        keras.utils.set_random_seed(0)
        model = tiny_dcgan(seed=0, label_smoothing=smoothing)
        model.compile()
        results.append(model.evaluate(batch, batch_size=8, verbose=0, return_dict=True)["d_loss"])
    assert results[0] != pytest.approx(results[1])


@pytest.fixture
def dtype_policy():
    """Sets a global dtype policy for one test and restores float32 after it."""
    yield keras.config.set_dtype_policy
    keras.config.set_dtype_policy("float32")


def test_mixed_float16_wraps_optimizers_in_loss_scaling(dtype_policy):
    dtype_policy("mixed_float16")
    model = tiny_dcgan(seed=0)
    model.compile()
    assert isinstance(model.generator_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.discriminator_optimizer, keras.optimizers.LossScaleOptimizer)
    history = testing.fit_steps(model, np.zeros((8, 16, 16, 1), "float32"), 2)
    assert all(np.isfinite(history.history["g_loss"] + history.history["d_loss"]))
    assert model.generate(2, seed=0).dtype == np.float32
    # the saved compile config holds the inner optimizer; loading re-wraps it
    config = model.get_compile_config()
    assert config["generator_optimizer"]["class_name"] == "Adam"


def test_mixed_bfloat16_trains_with_finite_losses(dtype_policy):
    dtype_policy("mixed_bfloat16")
    model = tiny_dcgan(seed=0)
    model.compile()
    assert isinstance(model.generator_optimizer, keras.optimizers.Adam)
    history = testing.fit_steps(model, np.zeros((8, 16, 16, 1), "float32"), 2)
    assert all(np.isfinite(history.history["g_loss"] + history.history["d_loss"]))


def test_replicas_draw_disjoint_noise_from_one_global_draw():
    """Each replica takes its own slice of the noise a single device would draw."""
    strategy = testing.two_cpu_strategy()
    with strategy.scope():
        model = GAN(units=4, depth=1, seed=3)
    single = GAN(units=4, depth=1, seed=3)
    expected = single.training_latent(4)
    per_replica = strategy.run(tf.function(lambda: model.training_latent(2)))
    halves = [t.numpy() for t in strategy.experimental_local_results(per_replica)]
    np.testing.assert_allclose(np.concatenate(halves), expected.numpy(), rtol=1e-6)


def test_fit_runs_with_xla():
    model = tiny_dcgan(seed=0)
    model.compile(jit_compile=True)
    assert model.jit_compile is True
    history = testing.fit_steps(model, np.zeros((8, 16, 16, 1), "float32"), 2)
    assert all(np.isfinite(history.history["g_loss"]))


def test_split_real_batch_gives_each_discriminator_step_its_own_slice():
    real = tf.reshape(tf.range(12, dtype=tf.float32), (6, 2))
    labels = tf.range(6)
    split = GAN(units=4, depth=1, discriminator_steps=3, split_real_batch=True)
    parts = split.critic_batches(real, (labels,))
    assert [p.numpy().tolist() for p, _ in parts] == [real[k:k + 2].numpy().tolist() for k in (0, 2, 4)]
    assert [c[0].numpy().tolist() for _, c in parts] == [[0, 1], [2, 3], [4, 5]]
    shared = GAN(units=4, depth=1, discriminator_steps=3)
    assert all(p is real for p, _ in shared.critic_batches(real, ()))
    # a last batch smaller than the steps is never sliced empty: its final rows repeat
    small = [p.numpy().tolist() for p, _ in split.critic_batches(real[:2], ())]
    assert small == [[[0.0, 1.0]], [[2.0, 3.0]], [[2.0, 3.0]]]

    @tf.function(input_signature=[tf.TensorSpec((None, 2), tf.float32)])
    def dynamic(batch):
        return [p for p, _ in split.critic_batches(batch, ())]

    assert [p.numpy().tolist() for p in dynamic(real[:4])] == [[[0.0, 1.0]], [[2.0, 3.0]], [[4.0, 5.0]]]


def test_split_real_batch_steps_equal_discriminator_steps_on_the_slices():
    options = dict(units=8, depth=1, latent_dim=2, loss="wasserstein", penalty="gp", discriminator_steps=3, seed=3)
    split, reference = GAN(split_real_batch=True, **options), GAN(**options)
    reference.set_weights(split.get_weights())
    for model in (split, reference):
        model.compile(generator_optimizer=keras.optimizers.SGD(0.1), discriminator_optimizer=keras.optimizers.SGD(0.1))
    real = tf.constant(np.random.default_rng(0).normal(size=(6, 2)), tf.float32)
    split.train_step(real)
    for k in range(3):  # the reference takes the same steps by hand, one slice each
        fake = reference.generate_batch(reference.training_latent(2), ())
        reference.discriminator_update(real[2 * k:2 * k + 2], fake, ())
    reference.generator_update(real[4:], ())
    for mine, theirs in zip(split.discriminator.weights + split.generator.weights,
                            reference.discriminator.weights + reference.generator.weights):
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
    assert int(split.discriminator_optimizer.iterations) == 3 and int(split.generator_optimizer.iterations) == 1
    assert GAN.from_config(split.get_config()).split_real_batch


def test_split_real_batch_refuses_a_batch_smaller_than_the_steps():
    model = GAN(units=4, depth=1, discriminator_steps=5, split_real_batch=True)
    model.compile()
    with pytest.raises(ValueError, match="batch holds 3 samples: use a batch of at least 5"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((9, 2), "float32")).batch(3), verbose=0)
    with pytest.raises(ValueError, match="split_real_batch must be True or False"):
        GAN(split_real_batch="yes")
    from kerasgan.zoo import Pix2Pix

    with pytest.raises(ValueError, match="Pix2Pix has its own training step"):
        Pix2Pix(input_shape=(16, 16, 1), output_channels=1, filters=4, split_real_batch=True)


def test_data_scale_lets_the_mlps_work_on_unit_scale_data(tmp_path):
    scaled, plain = GAN(units=8, depth=2, data_scale=2.5), GAN(units=8, depth=2)
    plain.set_weights(scaled.get_weights())  # Rescaling has no weights
    z, x = np.random.default_rng(0).normal(size=(2, 4, 2)).astype("float32")
    np.testing.assert_allclose(scaled.generator(z), 2.5 * plain.generator(z), rtol=1e-5)
    np.testing.assert_allclose(scaled.discriminator(x), plain.discriminator(x / 2.5), rtol=1e-5, atol=1e-6)
    scaled.save(tmp_path / "gan.keras")
    assert keras.saving.load_model(tmp_path / "gan.keras").data_scale == 2.5
    with pytest.raises(ValueError, match="data_scale must be a positive number"):
        GAN(data_scale=0)
