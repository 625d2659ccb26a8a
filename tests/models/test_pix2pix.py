"""Pix2Pix (Isola et al. 2017): the model contract at tiny sizes; the generator's loss (cGAN term plus weighted L1),
learning a fixed mapping, translate and the validation metrics, and bad input."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import testing
from kerasgan.zoo import Pix2Pix

CASES = [
    testing.ModelCase(
        name="pix2pix",
        make=lambda: Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1),
        batch=lambda: testing.pairs((16, 16, 1), (16, 16, 3)),
        params=25692,  # U-Net of depth 4: 24759; conditional PatchGAN with 1 stride-2 block: 933
        updates=testing.ONE_EACH,
        make_deterministic=lambda: Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, dropout=0.0, seed=1),
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


def _pix2pix(**kwargs):
    return Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1, **kwargs)


def _one_step_logs(model, batch):
    model.compile()
    history = model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
    return {name: values[0] for name, values in history.history.items()}


def test_pix2pix_generator_loss_is_the_cgan_term_plus_weighted_l1():
    logs = _one_step_logs(_pix2pix(l1_weight=7.0), (testing.images((16, 16, 1), 4, seed=0), testing.images((16, 16, 3), 4, seed=1)))
    assert set(logs) == {"d_loss", "g_loss", "adversarial_loss", "l1_loss"}
    assert logs["g_loss"] == pytest.approx(logs["adversarial_loss"] + 7.0 * logs["l1_loss"], rel=1e-5)
    assert 0.3 < logs["l1_loss"] < 1.5  # |uniform - tanh(~0)| averages about 0.5


def test_pix2pix_l1_alone_leaves_the_discriminator_untouched():
    model = _pix2pix(adversarial_weight=0.0, l1_weight=3.0)
    before = [weight.copy() for weight in model.discriminator.get_weights()]
    logs = _one_step_logs(model, (testing.images((16, 16, 1), 4, seed=0), testing.images((16, 16, 3), 4, seed=1)))
    assert set(logs) == {"g_loss", "l1_loss"}
    assert logs["g_loss"] == pytest.approx(3.0 * logs["l1_loss"], rel=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.discriminator.get_weights()))
    assert Pix2Pix.from_config(model.get_config()).adversarial_weight == 0.0


def test_pix2pix_learns_a_fixed_mapping_better_than_the_input():
    inputs = testing.images((16, 16, 1), 16, seed=0)
    targets = np.repeat(-inputs, 3, axis=-1)  # the negative, as colour
    model = _pix2pix(dropout=0.0)
    model.compile(generator_optimizer=keras.optimizers.Adam(2e-3, 0.5))
    model.fit(tf.data.Dataset.from_tensors((inputs, targets)).repeat(60), epochs=1, verbose=0)
    error = np.mean(np.abs(model.translate(inputs) - targets))
    assert error < 0.5 * np.mean(np.abs(np.repeat(inputs, 3, axis=-1) - targets))


def test_pix2pix_translate_and_validation_metrics():
    model = _pix2pix()
    model.compile()
    outputs = model.translate(testing.images((16, 16, 1), 3, seed=0))
    assert outputs.shape == (3, 16, 16, 3) and np.all(np.abs(outputs) <= 1)
    assert model.translate(testing.images((16, 16, 1), 1, seed=0)[0]).shape == (1, 16, 16, 3)
    pairs = tf.data.Dataset.from_tensors((testing.images((16, 16, 1), 4, seed=0), testing.images((16, 16, 3), 4, seed=1)))
    scores = model.evaluate(pairs, verbose=0, return_dict=True)
    assert scores["l1_loss"] > 0 and np.isfinite(scores["d_loss"])


def test_pix2pix_rejects_bad_input():
    model = _pix2pix()
    model.compile()
    single = r"Pix2Pix trains on \(inputs, targets\) batches but the dataset yields float32 \(4, 16, 16, 1\): load pairs"
    with pytest.raises(ValueError, match=single):
        model.fit(tf.data.Dataset.from_tensors(testing.images((16, 16, 1), 4, seed=0)), verbose=0)
    mismatched = tf.data.Dataset.from_tensors((testing.images((16, 16, 1), 4, seed=0), testing.images((8, 8, 3), 4, seed=1)))
    with pytest.raises(ValueError, match=r"the dataset yields targets batches of shape \(4, 8, 8, 3\) but Pix2Pix takes"):
        model.fit(mismatched, verbose=0)
    with pytest.raises(ValueError, match=r"y has targets batches of shape \(None, 8, 8, 3\) but Pix2Pix takes \(None, 16, 16, 3\)"):
        model.fit(testing.images((16, 16, 1), 4, seed=0), testing.images((8, 8, 3), 4, seed=1), verbose=0)
    with pytest.raises(ValueError, match=r"Pix2Pix trains on \(inputs, targets\): pass fit\(inputs, targets\)"):
        model.fit(testing.images((16, 16, 1), 4, seed=0), verbose=0)
    with pytest.raises(ValueError, match=r"inputs must be images of shape \(N, 16, 16, 1\)"):
        model.translate(testing.images((16, 16, 3), 2, seed=0))
    with pytest.raises(TypeError, match="use translate"):
        model.generate(4)
    with pytest.raises(ValueError, match=r"U-Net of depth 4 cannot take input_shape \(24, 24, 1\).*use depth <= 3"):
        Pix2Pix(input_shape=(24, 24, 1), depth=4)
    with pytest.raises(ValueError, match="l1_weight must be >= 0"):
        _pix2pix(l1_weight=-1.0)
    with pytest.raises(ValueError, match=r"adversarial_weight must be >= 0 \(0: L1 alone\)"):
        _pix2pix(adversarial_weight=-0.5)
