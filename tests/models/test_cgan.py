"""CGAN (Mirza & Osindero 2014): the model contract at tiny sizes; labels asked for, checked in generate and fit, and
taken by the exported signatures; unrolled discriminator steps through the label embedding."""
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export, testing
from kerasgan.zoo import CGAN

CASES = [
    testing.ModelCase(
        name="cgan",
        make=lambda: CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, seed=1),
        batch=lambda: testing.labelled((16, 16, 1), 3),
        params=21632,  # G: emb 150 + 14848 + BN 1024 + 2048 + BN 32 + 129; D: emb 768 + 264 + 2048 + BN 64 + 257
        updates=testing.ONE_EACH,
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


def tiny_cgan(**kwargs):
    return CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, seed=0, **kwargs)


def test_cgan_generates_the_requested_labels_in_the_given_order():
    model = tiny_cgan()
    z = model.sample_latent(4, seed=2)
    by_label = model.generate(4, seed=2, labels=[2, 0, 1, 2])
    np.testing.assert_allclose(by_label, model.predict([z, np.array([2, 0, 1, 2], "int32")], verbose=0), atol=1e-6)
    np.testing.assert_allclose(model.generate(4, seed=2, labels=1), model.predict([z, np.ones(4, "int32")], verbose=0), atol=1e-6)
    default = model.predict([z, np.array([0, 1, 2, 0], "int32")], verbose=0)  # labels cycle through the classes
    np.testing.assert_allclose(model.generate(4, seed=2), default, atol=1e-6)


@pytest.mark.parametrize("labels", [[0, 3], -1, [0.5]])
def test_cgan_rejects_labels_outside_the_classes(labels):
    with pytest.raises(ValueError, match=r"labels must be (in \[0, 3\)|integers)"):
        tiny_cgan().generate(2, labels=labels)


def test_cgan_fit_needs_labels_in_range():
    model = tiny_cgan()
    model.compile()
    images = np.zeros((8, 16, 16, 1), "float32")
    with pytest.raises(ValueError, match=r"CGAN trains on \(images, labels\) batches but the dataset yields float32 .*with_labels=True"):
        model.fit(tf.data.Dataset.from_tensors(images), verbose=0)
    with pytest.raises(ValueError, match="pass fit\\(images, labels\\)"):
        model.fit(images, verbose=0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\), got \[7\]"):
        model.fit(images, np.full(8, 7), verbose=0)
    with pytest.raises(ValueError, match=r"the dataset's labels must be in \[0, 3\), got \[5\]"):
        model.fit(tf.data.Dataset.from_tensors((images, np.full(8, 5, "int32"))), verbose=0)
    history = model.fit(images, np.arange(8) % 3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        CGAN(image_shape=(16, 16, 1), num_classes=1)


def test_cgan_signatures_take_labels(tmp_path):
    model = tiny_cgan()
    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "cgan")))
    inputs = loaded.signatures["serving_default"].structured_input_signature[1]
    assert {name: spec.dtype for name, spec in inputs.items()} == {"z": tf.float32, "labels": tf.int32}
    generated = loaded.signatures["generate"](
        num_images=tf.constant(4), seed=tf.constant(3, tf.int64), labels=tf.constant([1], tf.int32)
    )["images_uint8"].numpy()
    expected = np.round((model.generate(4, seed=3, labels=1) + 1) * 127.5)
    assert np.abs(generated.astype(int) - expected).max() <= 1
    path = export.tflite(model, str(tmp_path / "cgan.tflite"))
    assert export.tflite_parity(model, path)["max_abs_error"] <= 1e-4


def test_a_conditional_gan_unrolls_through_its_label_embedding():
    model = CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, unrolled_steps=2, seed=1)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    history = model.fit(tf.data.Dataset.from_tensors((images, np.arange(8) % 3)).repeat(2), verbose=0).history
    assert np.all(np.isfinite(history["g_loss"])) and int(model.discriminator_optimizer.iterations) == 2
