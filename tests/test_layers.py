"""kerasgan.layers: reflection padding, nearest upsampling, instance norm, the image pool and gradient reversal."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import testing
from kerasgan.layers import GradientReversal, ImagePool, Maxout, NearestUpsampling2D, ReflectionPadding2D, instance_norm

SHAPE = (2, 2, 1)  # pool images: each a constant id, so stored and returned images can be named


def ids(images):
    return np.asarray(images)[:, 0, 0, 0].round().astype(int).tolist()


def batch_of(ids_):
    return np.asarray(ids_, "float32")[:, None, None, None] * np.ones((1,) + SHAPE, "float32")


@pytest.mark.parametrize("padding", [(1, 1), (3, 2), 2])
def test_reflection_padding_matches_numpy(padding):
    images = np.random.default_rng(0).normal(size=(2, 5, 6, 3)).astype("float32")
    layer = ReflectionPadding2D(padding)
    pad_h, pad_w = (padding, padding) if isinstance(padding, int) else padding
    expected = np.pad(images, [(0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)], mode="reflect")
    np.testing.assert_array_equal(np.asarray(layer(images)), expected)
    assert layer.compute_output_shape((None, 5, 6, 3)) == (None,) + expected.shape[1:]


def test_reflection_padding_round_trips(tmp_path):
    layer = ReflectionPadding2D((3, 2), name="pad")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, ReflectionPadding2D) and restored.get_config() == layer.get_config()
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 7)(ReflectionPadding2D((3, 3))(inputs)))
    model.save(tmp_path / "padded.keras")
    images = np.random.default_rng(1).normal(size=(2, 8, 8, 1)).astype("float32")
    loaded = keras.models.load_model(tmp_path / "padded.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6)


def test_reflection_padding_rejects_bad_padding():
    with pytest.raises(ValueError, match="padding must be an int or"):
        ReflectionPadding2D((1, -1))
    with pytest.raises(ValueError, match="cannot pad a width of 3 by 3: reflection needs padding smaller"):
        ReflectionPadding2D((1, 3))(np.zeros((1, 8, 3, 1), "float32"))


def test_instance_norm_normalizes_each_image_and_channel():
    rng = np.random.default_rng(2)
    images = rng.normal(size=(3, 8, 8, 4)) * rng.uniform(0.5, 5, (3, 1, 1, 4)) + rng.uniform(-3, 3, (3, 1, 1, 4))
    layer = instance_norm()
    normalized = np.asarray(layer(images.astype("float32")))
    np.testing.assert_allclose(normalized.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(normalized.std(axis=(1, 2)), 1, atol=1e-3)
    assert layer.count_params() == 0


def test_image_pool_fills_first_and_returns_the_inputs():
    pool, seed = ImagePool(6), keras.random.SeedGenerator(0)
    np.testing.assert_array_equal(pool(batch_of([1, 2, 3, 4]), seed=seed), batch_of([1, 2, 3, 4]))
    assert ids(pool.images)[:4] == [1, 2, 3, 4] and int(pool.count) == 4
    returned = ids(pool(batch_of([5, 6, 7]), seed=seed))
    assert returned[:2] == [5, 6] and returned[2] in (7, 1, 2, 3, 4, 5, 6)
    assert int(pool.count) == 6


@pytest.mark.parametrize("graph", [False, True])
def test_image_pool_swaps_half_once_full(graph):
    """Each image is kept with p = 0.5, else it trades places with a stored one; the last of a slot's takers stays."""
    pool, seed = ImagePool(4), keras.random.SeedGenerator(1)
    query = lambda images: pool(images, seed=seed)  # noqa: E731
    if graph:  # a dynamic batch size in one trace
        query = tf.function(query, input_signature=[tf.TensorSpec((None,) + SHAPE, tf.float32)])
    query(batch_of([1, 2, 3, 4]))
    swapped = total = 0
    for step in range(1, 60):
        inputs = [100 * step + i for i in range(1 + step % 8)]
        stored = ids(pool.images)
        returned = ids(query(batch_of(inputs)))
        expected = list(stored)
        for image, out in zip(inputs, returned):
            if out != image:  # a swap: it got a stored image and took that image's slot
                assert out in stored
                expected[stored.index(out)] = image
                swapped += 1
        assert ids(pool.images) == expected
        total += len(inputs)
    assert 0.4 < swapped / total < 0.6, f"{swapped} of {total} swapped"
    assert int(pool.count) == 4


def test_image_pool_of_size_zero_returns_its_input():
    images = batch_of([1, 2, 3])
    np.testing.assert_array_equal(ImagePool(0)(images, seed=keras.random.SeedGenerator(0)), images)
    with pytest.raises(ValueError, match="pool_size must be an integer >= 0"):
        ImagePool(-1)


@keras.saving.register_keras_serializable(package="kerasgan_tests")
class PoolHolder(keras.Model):
    """A model whose only state is an image pool, as a CycleGAN holds one per domain."""

    def __init__(self, pool_size=5, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = pool_size
        self.pool = ImagePool(pool_size)
        self.pool.build((None,) + SHAPE)
        self.built = True

    def call(self, images):
        return images

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size}


def test_image_pool_state_survives_save_and_load(tmp_path):
    model = PoolHolder()
    model.pool(batch_of([1, 2, 3]), seed=0)
    model.save(tmp_path / "pool.keras")
    loaded = keras.models.load_model(tmp_path / "pool.keras")
    assert ids(loaded.pool.images) == [1, 2, 3, 0, 0] and int(loaded.pool.count) == 3
    for step in range(3):
        batch = batch_of([10 * step + 4, 10 * step + 5])
        np.testing.assert_array_equal(loaded.pool(batch, seed=step), model.pool(batch, seed=step))
    assert ids(loaded.pool.images) == ids(model.pool.images)


def test_image_pool_under_mirrored_strategy_equals_one_device():
    """Two replicas query their batches as one global batch: the same pool and images as on one device."""
    strategy = testing.two_cpu_strategy()
    with strategy.scope():
        pool, seed = ImagePool(4), keras.random.SeedGenerator(5)
        pool.build((None,) + SHAPE)
    reference, reference_seed = ImagePool(4), keras.random.SeedGenerator(5)
    step = tf.function(lambda images: strategy.run(lambda x: pool(x, seed=seed), args=(images,)))
    batches = tf.data.Dataset.from_tensor_slices(batch_of(range(1, 30))).batch(6)  # the last: 3 and 2
    for images, distributed in zip(batches, strategy.experimental_distribute_dataset(batches)):
        returned = np.concatenate([np.asarray(r) for r in strategy.experimental_local_results(step(distributed))])
        np.testing.assert_array_equal(returned, reference(images, seed=reference_seed))
        for replica_pool in strategy.experimental_local_results(pool.images.value):
            np.testing.assert_array_equal(replica_pool, reference.images)
    assert [int(count) for count in strategy.experimental_local_results(pool.count.value)] == [4, 4]


# gradient reversal


def reversed_gradient(layer, inputs, weights):
    """The gradient of sum(layer(inputs) * weights) with respect to `inputs`."""
    inputs = tf.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        loss = tf.reduce_sum(tf.cast(layer(inputs), tf.float32) * weights)
    return tape.gradient(loss, inputs)


def test_gradient_reversal_is_the_identity_forward():
    inputs = np.random.default_rng(3).normal(size=(4, 5, 2)).astype("float32")
    layer = GradientReversal(2.0)
    np.testing.assert_array_equal(layer(inputs), inputs)
    model = keras.Sequential([keras.Input((5, 2)), layer])
    np.testing.assert_array_equal(model.predict(inputs, verbose=0), inputs)
    assert layer.compute_output_shape((None, 5, 2)) == (None, 5, 2)
    assert layer.trainable_weights == [] and layer.non_trainable_weights == [layer.strength]
    assert layer.strength.dtype == "float32" and not layer.strength.trainable


@pytest.mark.parametrize("strength", [1.0, 0.25, 0.0, 3.0])
def test_gradient_reversal_multiplies_the_gradient_by_minus_strength(strength):
    rng = np.random.default_rng(4)
    inputs, weights = rng.normal(size=(2, 3, 4)).astype("float32"), rng.normal(size=(2, 3, 4)).astype("float32")
    gradient = reversed_gradient(GradientReversal(strength), inputs, weights)
    np.testing.assert_allclose(gradient, -strength * weights, rtol=1e-6)


def test_gradient_reversal_strength_changes_a_traced_step_without_retracing():
    layer, weights, traces = GradientReversal(), tf.constant([[1.0, -2.0, 3.0]]), []

    @tf.function
    def gradient(inputs):
        traces.append(1)
        return reversed_gradient(layer, inputs, weights)

    inputs = tf.ones((1, 3))
    np.testing.assert_allclose(gradient(inputs), -weights)
    layer.strength.assign(0.5)
    np.testing.assert_allclose(gradient(inputs), -0.5 * weights)
    layer.strength = 0.0
    np.testing.assert_allclose(gradient(inputs), 0.0 * weights)
    assert len(traces) == 1 and float(layer.strength) == 0.0


def test_gradient_reversal_keeps_the_gradient_dtype_under_mixed_precision():
    layer, weights = GradientReversal(1.5, dtype="mixed_float16"), tf.constant([[1.0, 2.0, -4.0]])
    half = reversed_gradient(layer, tf.ones((1, 3), tf.float16), weights)
    assert layer(tf.ones((1, 3))).dtype == tf.float16 and layer.strength.dtype == "float32"
    assert half.dtype == tf.float16
    np.testing.assert_allclose(half, -1.5 * weights)
    single = reversed_gradient(layer, tf.ones((1, 3)), weights)
    assert single.dtype == tf.float32
    np.testing.assert_allclose(single, -1.5 * weights)


def test_gradient_reversal_saves_its_current_strength(tmp_path):
    with pytest.raises(ValueError, match="strength must be a finite number"):
        GradientReversal(float("nan"))
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(GradientReversal(1.0, name="reversal")(inputs)))
    model.get_layer("reversal").strength.assign(0.25)
    model.save(tmp_path / "reversal.keras")
    loaded = keras.models.load_model(tmp_path / "reversal.keras").get_layer("reversal")
    assert isinstance(loaded, GradientReversal) and loaded.get_config()["strength"] == 1.0
    assert float(loaded.strength) == 0.25
    weights = tf.constant([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(reversed_gradient(loaded, tf.ones((1, 3)), weights), -0.25 * weights)


def regression(reversal=None):
    """Dense features, then `reversal` if given, then a Dense head; the same initial weights every time."""
    inputs = keras.Input((3,))
    features = keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(7), name="features")(inputs)
    if reversal is not None:
        features = reversal(features)
    outputs = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(8), name="head")(features)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model


def test_gradient_reversal_in_fit_under_mirrored_strategy(monkeypatch):
    """A callback sets each step's strength: 2 moves the features by -2x a plain step, 0 freezes them; no retrace."""
    traced, call = [], GradientReversal.call

    def counting_call(self, inputs):
        traced.append(1)
        return call(self, inputs)

    monkeypatch.setattr(GradientReversal, "call", counting_call)
    rng = np.random.default_rng(9)
    inputs, targets = rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    plain = regression()
    with testing.two_cpu_strategy().scope():
        reversal = GradientReversal(1.0)
        model = regression(reversal)
    start = {name: weights_of(model.get_layer(name)) for name in ("features", "head")}
    strengths, traces = [2.0, 0.0, 0.0], []
    schedule = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda step, logs: reversal.strength.assign(strengths.pop(0)),
        on_train_batch_end=lambda step, logs: traces.append(len(traced)),
    )
    plain.fit(inputs, targets, batch_size=8, verbose=0, shuffle=False)
    model.fit(inputs, targets, batch_size=8, verbose=0, shuffle=False, callbacks=[schedule])
    for name, sign in (("features", -2.0), ("head", 1.0)):
        moved = zip(start[name], weights_of(plain.get_layer(name)), weights_of(model.get_layer(name)))
        for before, plain_after, after in moved:
            assert np.abs(plain_after - before).min() > 1e-6
            np.testing.assert_allclose(after - before, sign * (plain_after - before), rtol=1e-4, atol=1e-7)
    after_one_step = weights_of(model.get_layer("features"))
    twice = np.tile(inputs, (2, 1)), np.tile(targets, (2, 1))
    model.fit(*twice, batch_size=8, verbose=0, shuffle=False, callbacks=[schedule])
    for after_one, after_three in zip(after_one_step, weights_of(model.get_layer("features"))):
        np.testing.assert_array_equal(after_three, after_one)
    assert len(traces) == 3 and traces[0] > 0 and len(set(traces)) == 1, traces


def weights_of(layer):
    return [np.array(variable) for variable in layer.trainable_variables]


def test_gradient_reversal_strength_assigned_inside_the_replicas():
    """A schedule computed in the train step (the paper's λ_p) sets the strength on every replica."""
    strategy = testing.two_cpu_strategy()
    with strategy.scope():
        reversal = GradientReversal()

    @tf.function
    def step(progress):
        def replica_step():
            reversal.strength.assign(2.0 / (1.0 + tf.exp(-10.0 * progress)) - 1.0)
            return reversed_gradient(reversal, tf.ones((2,)), tf.constant([1.0, 3.0]))

        return strategy.run(replica_step)

    expected = 2.0 / (1.0 + np.exp(-5.0)) - 1.0
    for gradient in strategy.experimental_local_results(step(tf.constant(0.5))):
        np.testing.assert_allclose(gradient, [-expected, -3.0 * expected], rtol=1e-6)
    for value in strategy.experimental_local_results(reversal.strength.value):
        np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_maxout_takes_the_largest_of_its_pieces_and_round_trips(tmp_path):
    layer = Maxout(2, 3)
    layer.build((None, 1))
    layer.linear.set_weights([np.array([[1.0, -1.0, 2.0, 0.5, -3.0, 0.0]]), np.zeros(6)])  # pieces (1, -1, 2), (0.5, -3, 0)
    np.testing.assert_allclose(layer(np.array([[1.0], [-1.0]])), [[2.0, 0.5], [1.0, 3.0]])
    model = keras.Sequential([keras.Input((1,)), layer])
    model.save(tmp_path / "maxout.keras")
    loaded = keras.models.load_model(tmp_path / "maxout.keras")
    np.testing.assert_allclose(loaded(np.array([[1.0]])), [[2.0, 0.5]])
    with pytest.raises(ValueError, match="Maxout pieces must be a positive integer, got 0"):
        Maxout(2, 0)


def test_nearest_upsampling_repeats_each_pixel_in_a_2x2_block_and_round_trips():
    images = np.arange(2 * 3 * 4 * 2, dtype="float32").reshape(2, 3, 4, 2)
    layer = NearestUpsampling2D()
    np.testing.assert_array_equal(layer(images), images.repeat(2, axis=1).repeat(2, axis=2))
    inputs = keras.Input((3, 4, 2))
    model = keras.Model(inputs, NearestUpsampling2D()(inputs))
    assert model.output.shape[1:] == (6, 8, 2)
    restored = keras.Model.from_config(model.get_config())
    np.testing.assert_array_equal(restored(images), model(images))
