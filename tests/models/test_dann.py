"""DANN (Ganin et al. 2016): the model contract at tiny sizes; the reversed gradient, the paper's schedules,
target accuracy and bad input."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import callbacks, data, testing
from kerasgan.zoo import DANN

CASES = [
    testing.ModelCase(
        name="dann_vectors",
        make=lambda: DANN(input_shape=(2,), num_classes=2, seed=1),
        batch=lambda: testing.domains((2,), 2),
        params=18156,  # g: 96 + 1056; h: 3300 + 10100 + 202; d: 3300 + 101; the reversal strength 1
        updates={"generator_optimizer": (("feature_extractor", "label_head"), 1), "discriminator_optimizer": ("domain_head", 1)},
        callbacks=lambda: [callbacks.ReversalSchedule(), callbacks.AnnealedLearningRate()],
    ),
    testing.ModelCase(
        name="dann_images",
        make=lambda: DANN(input_shape=(8, 8, 3), num_classes=3, seed=1),
        batch=lambda: testing.domains((8, 8, 3), 3),
        params=89985,  # g: conv 2432 + 38448; h: 19300 + 10100 + 303; d: 19300 + 101; the reversal strength 1
        updates={"generator_optimizer": (("feature_extractor", "label_head"), 1), "discriminator_optimizer": ("domain_head", 1)},
        callbacks=lambda: [callbacks.ReversalSchedule(), callbacks.AnnealedLearningRate()],
    ),
    testing.ModelCase(
        name="dann_vectors_ema",
        make=lambda: DANN(input_shape=(2,), num_classes=2, ema_decay=0.9, seed=1),
        batch=lambda: testing.domains((2,), 2),
        params=32910,  # dann_vectors' 18156, and the averaged g and h: 1152 + 13602
        updates={"generator_optimizer": (("feature_extractor", "label_head"), 1), "discriminator_optimizer": ("domain_head", 1)},
        callbacks=lambda: [callbacks.ReversalSchedule(), callbacks.AnnealedLearningRate()],
    ),
]
BY_NAME = pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)


@BY_NAME
def test_contract(case, tmp_path):
    testing.check_contract(case, tmp_path)


@pytest.mark.slow
@BY_NAME
@pytest.mark.parametrize("check", testing.SLOW_CHECKS)
def test_slow_contract(case, check, tmp_path):
    testing.check_contract(case, tmp_path, [check])


def _batch(count=8, shape=(2,), seed=0):
    rng = np.random.default_rng(seed)
    source, target = (rng.normal(size=(count,) + shape).astype("float32") for _ in range(2))
    return (source, target), (np.arange(count) % 2).astype("int32")


def _dann(**kwargs):
    keras.utils.set_random_seed(0)  # the same initial weights for every model built here
    return DANN(input_shape=(2,), num_classes=2, seed=0, **kwargs)


def _step(model, batch, epochs=1, callbacks_=()):
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.1), discriminator_optimizer=keras.optimizers.SGD(0.1)
    )
    return model.fit(tf.data.Dataset.from_tensors(batch).repeat(2), epochs=epochs, verbose=0, callbacks=list(callbacks_))


def _weights(network):
    return [np.array(v) for v in network.trainable_variables]


def test_source_only_is_adaptation_with_zero_strength_and_the_reversal_changes_the_features():
    batch = _batch()
    source_only, zero, reversed_ = _dann(adaptation=False), _dann(reversal_strength=0.0), _dann()
    for model in (source_only, zero, reversed_):
        _step(model, batch)
    for a, b in zip(_weights(source_only.feature_extractor), _weights(zero.feature_extractor)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    moved = [not np.allclose(a, b, atol=1e-6) for a, b in zip(_weights(zero.feature_extractor), _weights(reversed_.feature_extractor))]
    assert any(moved)
    # the domain head learns the same in all three: its gradient is never reversed
    for a, b in zip(_weights(source_only.domain_head), _weights(zero.domain_head)):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_reversal_schedule_follows_the_paper_and_reaches_the_layer():
    schedule = callbacks.ReversalSchedule(max_strength=3.0)
    assert schedule.strength(0.0) == 0.0
    assert schedule.strength(0.5) == pytest.approx(3.0 * (2 / (1 + math.exp(-5)) - 1))
    assert schedule.strength(1.0) == pytest.approx(3.0 * 0.99991, rel=1e-4)
    model = _dann()
    seen = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(float(model.gradient_reversal.strength)))
    _step(model, _batch(), epochs=2, callbacks_=[schedule, record])
    # 2 epochs of 2 batches: p = 0, 1/4, 2/4, 3/4 before each batch
    assert seen == pytest.approx([schedule.strength(p) for p in (0.0, 0.25, 0.5, 0.75)], rel=1e-6)


def test_annealed_learning_rate_follows_the_paper():
    anneal = callbacks.AnnealedLearningRate()
    assert anneal.factor(0.0) == 1.0 and anneal.factor(1.0) == pytest.approx(11 ** -0.75)
    model = _dann()
    _step(model, _batch(), epochs=2, callbacks_=[anneal])
    expected = 0.1 / (1 + 10 * 0.75) ** 0.75  # the rate set before the last of 4 batches
    assert float(model.generator_optimizer.learning_rate) == pytest.approx(expected, rel=1e-5)
    assert float(model.discriminator_optimizer.learning_rate) == pytest.approx(expected, rel=1e-5)


def test_predict_features_and_target_validation_accuracy():
    model = _dann()
    model.compile()
    train = data.domain_adaptation("moons", "moons_rotated", batch_size=32)
    target = data.load("moons_rotated", split="test", with_labels=True, batch_size=50, shuffle=False)
    history = model.fit(train, epochs=2, validation_data=target, verbose=0)
    assert set(history.history) == {
        "class_loss", "domain_loss", "class_accuracy", "domain_accuracy", "val_class_loss", "val_class_accuracy",
    }
    x, y = next(target.as_numpy_iterator())
    probabilities = model.predict(x, verbose=0)
    assert probabilities.shape == (50, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    uneven = data.load("moons_rotated", split="test", with_labels=True, batch_size=1, shuffle=False).unbatch().batch(64)
    accuracy = model.evaluate(uneven, verbose=0, return_dict=True)["class_accuracy"]  # batches of 64 and 36
    labels = np.concatenate([batch[1] for batch in uneven.as_numpy_iterator()])
    assert accuracy == pytest.approx(np.mean(np.argmax(model.predict(uneven, verbose=0), axis=1) == labels), abs=1e-6)
    assert model.features(x).shape == (50, 32)


def test_dann_rejects_bad_input():
    model = _dann()
    model.compile()
    labelled = tf.data.Dataset.from_tensors((np.zeros((4, 2), "float32"), np.zeros(4, "int32")))
    with pytest.raises(ValueError, match=r"DANN trains on \(\(source, target\), source labels\) batches"):
        model.fit(labelled, verbose=0)
    (source, _), labels = _batch()
    mismatched = tf.data.Dataset.from_tensors(((source, np.zeros((8, 3), "float32")), labels))
    with pytest.raises(ValueError, match=r"the dataset yields target batches of shape \(8, 3\) but DANN takes \(None, 2\)"):
        model.fit(mismatched, verbose=0)
    with pytest.raises(ValueError, match="build it with kerasgan.data.domain_adaptation"):
        model.fit(source, labels, verbose=0)
    out_of_range = tf.data.Dataset.from_tensors(((source, source), labels + 5))
    with pytest.raises(ValueError, match=r"the dataset's source labels must be in \[0, 2\), got \[5, 6\]"):
        model.fit(out_of_range, verbose=0)
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        DANN(input_shape=(2,), num_classes=1)
    with pytest.raises(ValueError, match=r"label_head must map the features \(32,\) to 2 class logits"):
        DANN(input_shape=(2,), num_classes=2, label_head=keras.Sequential([keras.Input((32,)), keras.layers.Dense(3)]))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\)"):
        model.features(np.zeros((3, 4)))
    with pytest.raises(TypeError, match="use predict"):
        model.generate(2)


def test_random_invert_inverts_training_images_only():
    from kerasgan.networks import dann as networks

    keras.utils.set_random_seed(0)
    g = networks.build_feature_extractor((8, 8, 3), random_invert=1.0, seed=0)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(g(x, training=True), g(-x, training=False), atol=1e-5)
    assert not np.allclose(g(x, training=True), g(x, training=False), atol=1e-3)
    assert "random_invert" not in [layer.name for layer in networks.build_feature_extractor((8, 8, 3)).layers]


def test_random_invert_and_dropout_shape_the_networks_and_survive_saving(tmp_path):
    model = DANN(input_shape=(8, 8, 3), num_classes=3, random_invert=0.5, dropout=0.25, seed=0)
    rates = {network.name: [layer.rate for layer in network.layers if isinstance(layer, keras.layers.Dropout)]
             for network in (model.label_head, model.domain_head)}
    assert rates == {"label_head": [0.25] * 3, "domain_head": [0.25]}
    model.save(tmp_path / "dann.keras")
    restored = keras.saving.load_model(tmp_path / "dann.keras")
    assert (restored.random_invert, restored.dropout) == (0.5, 0.25)
    assert restored.feature_extractor.get_layer("random_invert").factor == (0.5, 0.5)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_domain_depth_stacks_hidden_layers_in_the_domain_classifier_and_survives_saving(tmp_path):
    model = DANN(input_shape=(2,), num_classes=2, domain_depth=3, dropout=0.25, seed=0)
    dense = [layer.units for layer in model.domain_head.layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [100, 100, 100, 1]
    assert len([layer for layer in model.domain_head.layers if isinstance(layer, keras.layers.Dropout)]) == 3
    model.save(tmp_path / "dann.keras")
    restored = keras.saving.load_model(tmp_path / "dann.keras")
    assert restored.domain_depth == 3
    assert len(restored.domain_head.layers) == len(model.domain_head.layers)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"domain_depth": 0}, r"domain_depth must be an integer >= 1 \(hidden layers of the domain classifier; 1 in the paper\), got 0"),
        ({"domain_depth": 1.5}, r"domain_depth must be an integer >= 1"),
        ({"random_invert": 1.5}, r"random_invert is a probability: it must be a number in \[0, 1\], got 1.5"),
        ({"random_invert": True}, r"random_invert is a probability"),
        ({"dropout": 1.0}, r"dropout is a probability: it must be a number in \[0, 1\), got 1.0"),
        ({"dropout": -0.1}, r"dropout is a probability"),
        ({"random_invert": 0.5, "input_shape": (2,)}, r"random_invert inverts images; input_shape \(2,\) is not \(H, W, C\)"),
    ],
)
def test_bad_random_invert_or_dropout_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DANN(**{"input_shape": (8, 8, 3), "num_classes": 2, **kwargs})
