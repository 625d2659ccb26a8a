"""Generator weight averaging (the `ema_decay` option, kerasgan.averaging): the update, who samples, saving, bad input."""
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import averaging, export, testing
from kerasgan.zoo import CGAN, DANN, DCGAN, EBGAN, GAN, WGAN, EnsembleGAN


def weights(network):
    return [np.array(variable) for variable in network.weights]


def test_one_step_moves_the_average_towards_the_trained_weights():
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1, ema_decay=0.9)
    model.compile()
    start = weights(model.averaged_generator)
    np.testing.assert_array_equal(np.concatenate([w.ravel() for w in start]),
                                  np.concatenate([w.ravel() for w in weights(model.generator)]))
    testing.fit_steps(model, testing.images((16, 16, 1)), 1)
    decay = min(0.9, 2 / 11)  # the warm-up of the first update: (1 + 1) / (10 + 1)
    trained = weights(model.generator)
    kinds = [variable.trainable for variable in model.generator.weights]
    assert not all(kinds) and any(kinds)  # batch norm's moving statistics are among them
    for was, now, current, trainable in zip(start, weights(model.averaged_generator), trained, kinds):
        if trainable:  # batch norm's statistics: the next test
            np.testing.assert_allclose(now, was + (1 - decay) * (current - was), rtol=1e-6, atol=1e-7)
    assert any(not np.array_equal(a, b) for a, b in zip(weights(model.averaged_generator), trained))


def test_fit_ends_with_the_averages_own_batch_norm_statistics():
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1, ema_decay=0.5, precision="float32")
    model.compile()
    testing.fit_steps(model, testing.images((16, 16, 1)), 3)
    average = model.averaged_generator
    norms = [layer for layer in average.layers if isinstance(layer, keras.layers.BatchNormalization)]
    trained_norm = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.BatchNormalization)][0]
    assert not np.allclose(norms[0].moving_mean, trained_norm.moving_mean)
    model.recompute_average_statistics(batches=3, batch_size=8)
    assert [norm.momentum for norm in norms] == [0.99] * len(norms) and not average.trainable
    # the mean over the 3 batches of the first layer's inputs, the z of seeds 0, 1, 2 run through the averaged weights
    inputs_of_first = keras.Model(average.inputs, norms[0].input)
    activations = np.concatenate([inputs_of_first(model.sample_latent(8, seed=i)) for i in range(3)])
    np.testing.assert_allclose(norms[0].moving_mean, activations.reshape(-1, activations.shape[-1]).mean(0), atol=1e-5)


def test_the_warm_up_reaches_the_decay():
    assert float(averaging.decay_at(0.999, 1)) == pytest.approx(2 / 11)
    assert float(averaging.decay_at(0.999, 10**6)) == pytest.approx(0.999)


def test_sampling_scores_and_exports_use_the_average(tmp_path):
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1, ema_decay=0.5)
    model.compile()
    testing.fit_steps(model, testing.images((16, 16, 1)), 3)
    z = model.sample_latent(4, seed=2)
    averaged = np.asarray(model.averaged_generator(z, training=False))
    assert np.abs(averaged - np.asarray(model.generator(z, training=False))).max() > 1e-4
    np.testing.assert_allclose(model.generate(4, seed=2), averaged, atol=1e-6)
    np.testing.assert_allclose(testing.generator_outputs(model, {"z": np.asarray(z)})["images"], averaged, atol=1e-6)
    loaded = tf.saved_model.load(export.saved_model(model, str(tmp_path / "export")))
    np.testing.assert_allclose(loaded.signatures["serving_default"](z=tf.constant(z))["images"], averaged, atol=1e-5)
    model.use_average = False
    np.testing.assert_allclose(model.generate(4, seed=2), model.generator(z, training=False), atol=1e-6)


def test_a_conditional_gan_samples_from_its_average():
    model = CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=8, seed=0, ema_decay=0.5)
    model.compile()
    testing.fit_steps(model, testing.labelled((16, 16, 1), 3), 2)
    z = model.sample_latent(3, seed=1)
    labels = np.array([0, 1, 2], "int32")
    np.testing.assert_allclose(
        model.generate(3, seed=1, labels=labels), model.averaged_generator.predict([z, labels], verbose=0), atol=1e-6
    )


def test_the_average_is_saved_and_loaded_with_the_model(tmp_path):
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1, ema_decay=0.5)
    model.compile()
    testing.fit_steps(model, testing.images((16, 16, 1)), 2)
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert restored.ema_decay == 0.5
    for saved, loaded in zip(weights(model.averaged_generator), weights(restored.averaged_generator)):
        np.testing.assert_array_equal(loaded, saved)


def test_without_a_decay_there_is_no_average_and_the_generator_samples():
    model = WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
    assert model.averaged_generator is None and model.sampling_generator() is model.generator
    with pytest.raises(ValueError, match="WGAN keeps no average to recompute: build it with ema_decay > 0"):
        model.recompute_average_statistics()


@pytest.mark.parametrize("make", [
    lambda: EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, ema_decay=0.9),
    lambda: EnsembleGAN(data_dim=2, units=4, depth=1, num_discriminators=2, ema_decay=0.9),
    lambda: GAN(data_dim=2, units=4, depth=1, ema_decay=0.9),
])
def test_every_gan_of_the_zoo_takes_a_decay(make):
    assert make().averaged_generator is not None


def test_dann_classifies_with_its_averaged_feature_extractor_and_label_head():
    model = DANN(input_shape=(2,), num_classes=2, ema_decay=0.5, seed=1)
    model.compile()
    testing.fit_steps(model, testing.domains((2,), 2), 3)
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    averaged = keras.ops.softmax(model.averaged_label_head(model.averaged_feature_extractor(x)))
    trained = keras.ops.softmax(model.label_head(model.feature_extractor(x)))
    assert np.abs(np.asarray(averaged) - np.asarray(trained)).max() > 1e-5
    np.testing.assert_allclose(model.predict(x, verbose=0), averaged, atol=1e-6)
    np.testing.assert_allclose(model.features(x), model.averaged_feature_extractor(x), atol=1e-6)
    model.use_average = False
    np.testing.assert_allclose(model.predict(x, verbose=0), trained, atol=1e-6)


@pytest.mark.parametrize("decay", [1.0, -0.1, True, "0.9"])
def test_a_decay_outside_zero_to_one_is_refused_in_one_line(decay):
    with pytest.raises(ValueError, match=r"ema_decay must be in \[0, 1\)"):
        DCGAN(image_shape=(16, 16, 1), filters=4, ema_decay=decay)


def test_the_flag_trains_and_exports_the_average(tmp_path):
    from kerasgan import zoo  # noqa: F401  (registers the zoo classes for load_model)

    run = tmp_path / "run"
    command = [sys.executable, "-m", "kerasgan", "train", "--model=dcgan", "--dataset=digits", "--image_size=16",
               "--filters=4", "--latent_dim=8", "--batch_size=16", "--epochs=1", "--steps_per_epoch=3",
               "--ema_decay=0.5", f"--output_dir={run}", f"--export_dir={tmp_path / 'saved_models'}"]
    quiet = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(command, capture_output=True, text=True, env=quiet)
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(run / "model.keras")
    assert model.ema_decay == 0.5 and int(model.generator_optimizer.iterations) == 3
    assert json.loads((run / "history.json").read_text())["g_loss"]
    loaded = tf.saved_model.load(os.path.join(tmp_path, "saved_models", "dcgan", "1"))
    z = model.sample_latent(2, seed=0)
    np.testing.assert_allclose(
        loaded.signatures["serving_default"](z=tf.constant(z))["images"], model.averaged_generator(z), atol=1e-5
    )
    refused = subprocess.run(
        [*command[:-3], "--ema_decay=1", f"--output_dir={tmp_path / 'other'}"], capture_output=True, text=True, env=quiet
    )
    assert refused.returncode != 0 and "ema_decay must be in [0, 1)" in refused.stderr and "Traceback" not in refused.stderr
