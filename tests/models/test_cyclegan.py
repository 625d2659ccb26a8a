"""CycleGAN (Zhu et al. 2017): the model contract at tiny sizes; the generator's loss (adversarial, cycle and identity
terms), the image pools and their saving, generator_downsamplings in the config, translating and exporting both ways,
bad input, and the LinearDecay schedule."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import callbacks, export, testing
from kerasgan.zoo import CycleGAN

CASES = [
    testing.ModelCase(
        name="cyclegan",
        make=lambda: CycleGAN(image_shape=(16, 16, 3), filters=4, residual_blocks=1, pool_size=4, seed=1),
        batch=lambda: testing.pairs((16, 16, 3), (16, 16, 3)),
        params=25154,  # 2 ResNet generators 8667; 2 PatchGANs 837; 2 pools of 4 images 3072 + count 1
        updates={
            "generator_optimizer": (("generator_ab", "generator_ba"), 1),
            "discriminator_optimizer": (("discriminator_a", "discriminator_b"), 1),
        },
        callbacks=lambda: [callbacks.LinearDecay(epochs=2, decay_epochs=1)],
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


def _cyclegan(**kwargs):
    keras.utils.set_random_seed(0)  # the same initial weights for every model built here
    kwargs = {"filters": 4, "residual_blocks": 1, "pool_size": 4, "seed": 1, **kwargs}
    return CycleGAN(image_shape=(16, 16, 3), **kwargs)


def _one_step_logs(model, batch):
    model.compile()
    history = model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
    return {name: values[0] for name, values in history.history.items()}


def test_cyclegan_generator_loss_adds_cycle_and_identity_terms():
    batch = (testing.images((16, 16, 3), 4, seed=0), testing.images((16, 16, 3), 4, seed=1))
    logs = _one_step_logs(_cyclegan(cycle_weight=3.0, identity_weight=0.5), batch)
    assert set(logs) == {"d_loss", "g_loss", "cycle_loss", "identity_loss"}
    adversarial = logs["g_loss"] - 3.0 * (logs["cycle_loss"] + 0.5 * logs["identity_loss"])
    fresh, (a, b) = _cyclegan(), batch  # the same initial weights as the model that took the step
    expected = np.mean((fresh.discriminator_b(fresh.generator_ab(a)) - 1) ** 2) + np.mean(
        (fresh.discriminator_a(fresh.generator_ba(b)) - 1) ** 2
    )
    assert adversarial == pytest.approx(expected, rel=1e-4)  # Zhu et al.'s E[(D(G(a)) - 1)^2], both ways
    without = _one_step_logs(_cyclegan(cycle_weight=3.0, identity_weight=0.0), batch)
    assert "identity_loss" not in without  # not computed when it is not trained
    assert without["g_loss"] == pytest.approx(logs["g_loss"] - 1.5 * logs["identity_loss"], rel=1e-4)


def test_cyclegan_pools_fill_with_fakes_and_are_saved(tmp_path):
    model = _cyclegan()
    batch = (testing.images((16, 16, 3), 3, seed=0), testing.images((16, 16, 3), 3, seed=1))
    _one_step_logs(model, batch)
    assert int(model.pool_a.count.numpy()) == 3 and int(model.pool_b.count.numpy()) == 3
    np.testing.assert_allclose(model.pool_b.images.numpy()[:3], model.translate_a_to_b(batch[0]), atol=0.2)
    path = str(tmp_path / "cyclegan.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_array_equal(restored.pool_b.images.numpy(), model.pool_b.images.numpy())
    assert int(restored.pool_a.count.numpy()) == 3


def test_cyclegan_generator_downsamplings_survive_the_config():
    model = _cyclegan(generator_downsamplings=1)
    assert model.generator_ab.get_layer(index=-4).output.shape[1:] == (16, 16, 4)  # back at full size
    assert model.get_config()["generator_downsamplings"] == 1
    restored = CycleGAN.from_config(model.get_config())
    assert restored.generator_downsamplings == 1
    assert restored.generator_ba.count_params() == model.generator_ba.count_params()


def test_cyclegan_translates_both_ways_and_exports_both_directions(tmp_path):
    model = _cyclegan()
    images = testing.images((16, 16, 3), 2, seed=0)
    np.testing.assert_allclose(model.translate_a_to_b(images), model.generator_ab(images), atol=1e-6)
    np.testing.assert_allclose(model.translate_b_to_a(images), model.generator_ba(images), atol=1e-6)
    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "saved")))
    assert set(loaded.signatures) == {"serving_default", "b_to_a", "translate_a_to_b", "translate_b_to_a"}
    uint8 = ((images + 1) * 127.5).round().astype("uint8")
    out = loaded.signatures["translate_b_to_a"](images_uint8=tf.constant(uint8))["images_uint8"].numpy()
    expected = np.round((np.clip(model.translate_b_to_a(uint8 / 127.5 - 1), -1, 1) + 1) * 127.5)
    assert np.max(np.abs(out.astype(int) - expected)) <= 1
    path = export.tflite(model, str(tmp_path / "b_to_a.tflite"), signature="b_to_a")
    assert export.tflite_parity(model, path, signature="b_to_a")["max_abs_error"] < 1e-4
    with pytest.raises(ValueError, match="has no signature 'c_to_d'"):
        export.tflite(model, str(tmp_path / "x.tflite"), signature="c_to_d")


def test_cyclegan_rejects_bad_input():
    model = _cyclegan()
    model.compile()
    with pytest.raises(ValueError, match=r"CycleGAN trains on \(images_a, images_b\) batches but the dataset yields float32"):
        model.fit(tf.data.Dataset.from_tensors(testing.images((16, 16, 3), 4, seed=0)), verbose=0)
    other_size = tf.data.Dataset.from_tensors((testing.images((16, 16, 3), 4, seed=0), testing.images((8, 8, 3), 4, seed=1)))
    with pytest.raises(ValueError, match=r"the dataset yields images_b batches of shape \(4, 8, 8, 3\) but CycleGAN takes"):
        model.fit(other_size, verbose=0)
    with pytest.raises(ValueError, match="pool_size must be an integer >= 0"):
        _cyclegan(pool_size=-1)
    with pytest.raises(ValueError, match="needs image_shape"):
        CycleGAN()
    with pytest.raises(TypeError, match="translate_a_to_b"):
        model.generate(2)


def test_linear_decay_keeps_then_decays_the_rate_to_near_zero():
    decay = callbacks.LinearDecay(epochs=4)
    assert [decay.factor(epoch) for epoch in range(4)] == pytest.approx([1.0, 1.0, 2 / 3, 1 / 3])
    model = _cyclegan()
    model.compile()
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(float(model.generator_optimizer.learning_rate))
    )
    batch = (testing.images((16, 16, 3), 2, seed=0), testing.images((16, 16, 3), 2, seed=1))
    model.fit(tf.data.Dataset.from_tensors(batch), epochs=4, verbose=0, callbacks=[decay, record])
    assert seen == pytest.approx([2e-4, 2e-4, 2e-4 * 2 / 3, 2e-4 / 3])
    assert float(model.discriminator_optimizer.learning_rate) == pytest.approx(2e-4 / 3)
    with pytest.raises(ValueError, match="decay_epochs must be in"):
        callbacks.LinearDecay(epochs=4, decay_epochs=5)
