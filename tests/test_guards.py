"""DivergenceGuard stops a run at its first NaN; ModeCollapseWarning warns once of a collapsed generator."""
import logging
import warnings
from unittest import mock

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from kerasgan import data, guards, testing
from kerasgan.guards import DivergenceGuard, ModeCollapse, ModeCollapseWarning
from kerasgan.zoo import CGAN, DANN, DCGAN, GAN, WGAN, CycleGAN, EnsembleGAN

IMAGES = testing.images((8, 8, 1), count=64)  # 8 batches of 8


def tiny_dcgan(**compile_arguments):
    model = DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=0)
    model.compile(**compile_arguments)
    return model


class InjectNaN(keras.callbacks.Callback):
    """Writes one NaN into the first kernel of `network` after batch `batch` (0-based) of the first epoch."""

    def __init__(self, network, batch=3):
        super().__init__()
        self.network, self.batch, self.variable = network, batch, None

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.batch and self.variable is None:
            network = getattr(self.model, self.network)
            self.variable = next(v for v in network.trainable_variables if v.path.endswith("kernel"))
            value = np.array(self.variable)
            value.flat[0] = np.nan
            self.variable.assign(value)


class NaNLoss(GAN):
    """Reports a nan g_loss from its third step on; its weights stay finite."""

    def train_step(self, data):
        logs = super().train_step(data)
        logs["g_loss"] = ops.where(self.generator_optimizer.iterations >= 3, float("nan"), logs["g_loss"])
        return logs


# --- DivergenceGuard ------------------------------------------------------------------------


@pytest.mark.parametrize("network", ["discriminator", "generator"])
def test_a_nan_weight_stops_fit_at_that_step_and_names_the_network(network, caplog):
    caplog.set_level(logging.ERROR, logger="absl")
    model = tiny_dcgan()
    inject, guard = InjectNaN(network), DivergenceGuard(weight_every=1)
    history = model.fit(IMAGES, batch_size=8, epochs=3, verbose=0, callbacks=[inject, guard])
    assert guard.diverged and guard.step == 4
    assert int(model.discriminator_optimizer.iterations) == 4 and len(history.history["d_loss"]) == 1
    assert guard.message == (
        f"training diverged at step 4 (epoch 1, batch 4): the {network}'s weights are not finite "
        f"(first: {network}/{inject.variable.path})"
    )
    assert [record.getMessage() for record in caplog.records if "diverged" in record.getMessage()] == [guard.message]


def test_by_default_the_nan_losses_of_the_next_step_trip_it_counting_from_the_initial_epoch():
    model = tiny_dcgan()
    guard = DivergenceGuard()
    model.fit(IMAGES, batch_size=8, epochs=127, initial_epoch=125, verbose=0, callbacks=[InjectNaN("discriminator"), guard])
    assert guard.step == 1005 and int(model.discriminator_optimizer.iterations) == 5
    # Within that step the NaN reached the generator through D's judgement.
    assert guard.message.startswith("training diverged at step 1005 (epoch 126, batch 5): d_loss is nan, g_loss is nan; ")
    assert "the generator's and discriminator's weights are not finite (first: generator/" in guard.message


def test_a_finite_run_never_trips_and_runs_every_epoch():
    model = tiny_dcgan()
    guard = DivergenceGuard(weight_every=3)
    history = model.fit(IMAGES, batch_size=8, epochs=3, verbose=0, callbacks=[guard])
    assert len(history.history["g_loss"]) == 3 and guard.steps == 24
    assert not guard.diverged and guard.step is None and guard.message is None


def test_a_nan_loss_with_finite_weights_names_the_loss_and_what_it_trains():
    model = NaNLoss(units=8, depth=1, seed=0)
    model.compile(jit_compile=False)  # XLA's compile time is most of a run this short
    guard = DivergenceGuard()
    model.fit(testing.images((2,), count=40), batch_size=8, epochs=2, verbose=0, callbacks=[guard])
    assert guard.step == 3 and int(model.generator_optimizer.iterations) == 3
    assert guard.message == (
        "training diverged at step 3 (epoch 1, batch 3): g_loss is nan (it trains the generator); every weight is still finite"
    )


def test_losses_name_the_networks_they_train_in_every_kind_of_model():
    def message(model, logs):
        guard = DivergenceGuard()
        guard.set_model(model)
        guard.on_train_begin()
        guard.on_epoch_begin(0)
        guard.on_train_batch_end(0, logs)
        return guard.message

    ensemble = EnsembleGAN(data_dim=2, latent_dim=2, units=8, depth=1, num_discriminators=3)
    assert "profile_1 is inf (it trains the discriminators[1]);" in message(ensemble, {"g_loss": 1.0, "profile_1": np.inf})
    cycle_gan = CycleGAN(image_shape=(16, 16, 3), filters=4, residual_blocks=1, pool_size=4)
    assert "cycle_loss is nan (it trains the generator_ab and generator_ba);" in message(cycle_gan, {"cycle_loss": np.nan})
    dann = DANN(input_shape=(2,), num_classes=2)
    assert "domain_loss is nan (it trains the domain_head);" in message(dann, {"domain_loss": np.nan})
    wgan = WGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4)
    assert "gradient_penalty is nan (it trains the critic);" in message(wgan, {"gradient_penalty": np.nan})


def test_sub_networks_are_named_after_the_models_attributes():
    assert list(guards.sub_networks(tiny_dcgan())) == ["generator", "discriminator"]
    assert list(guards.sub_networks(WGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4))) == ["generator", "critic"]
    cycle_gan = CycleGAN(image_shape=(16, 16, 3), filters=4, residual_blocks=1, pool_size=4)
    assert sorted(guards.sub_networks(cycle_gan)) == ["discriminator_a", "discriminator_b", "generator_ab", "generator_ba"]
    assert sorted(guards.sub_networks(DANN(input_shape=(2,), num_classes=2))) == ["domain_head", "feature_extractor", "label_head"]
    ensemble = EnsembleGAN(data_dim=2, latent_dim=2, units=8, depth=1, num_discriminators=3)
    assert list(guards.sub_networks(ensemble)) == ["generator", "discriminators[0]", "discriminators[1]", "discriminators[2]"]


def test_non_finite_weights_names_the_network_and_variable():
    model = tiny_dcgan()
    assert guards.non_finite_weights(model) is None
    kernel = next(v for v in model.discriminator.weights if v.path.endswith("kernel"))
    value = np.array(kernel)
    value.flat[2] = np.nan
    kernel.assign(value)
    assert guards.non_finite_weights(model) == ("discriminator", kernel.path)
    ensemble = EnsembleGAN(data_dim=2, latent_dim=2, units=8, depth=1, num_discriminators=3)
    bias = ensemble.discriminators[1].weights[-1]
    bias.assign(np.full(bias.shape, np.inf))
    assert guards.non_finite_weights(ensemble) == ("discriminators[1]", bias.path)


def test_divergence_guard_arguments_are_checked():
    with pytest.raises(ValueError, match="weight_every must be an integer >= 1, got 0"):
        DivergenceGuard(weight_every=0)


# --- ModeCollapseWarning ---------------------------------------------------------------------


class WarnedAfterEachEpoch(keras.callbacks.Callback):
    def __init__(self, warning):
        super().__init__()
        self.warning, self.warned = warning, []

    def on_epoch_end(self, epoch, logs=None):
        self.warned.append(self.warning.warned)


def test_a_constant_generator_warns_once_after_patience_epochs():
    model = tiny_dcgan(generator_optimizer=keras.optimizers.SGD(0.0))  # G never moves again
    kernel = [v for v in model.generator.trainable_variables if v.path.endswith("kernel")][-1]
    kernel.assign(np.zeros(kernel.shape))  # every sample is tanh(bias) of the last layer
    warning = ModeCollapseWarning(IMAGES, num_samples=16, patience=3)
    seen = WarnedAfterEachEpoch(warning)
    with pytest.warns(ModeCollapse, match=r"mode collapse at epoch 3: .* diversity is 0 .*look alike\)\. Try: train longer") as caught:
        history = model.fit(IMAGES, batch_size=8, epochs=4, verbose=0, callbacks=[warning, seen])
    assert len([w for w in caught if issubclass(w.category, ModeCollapse)]) == 1
    assert seen.warned == [False, False, True, True]
    assert len(warning.ratios) == 4 and max(warning.ratios) < 1e-6
    assert history.history["diversity"] == pytest.approx(warning.ratios)


def _real_digits(count=128):
    return data.examples("digits", "all", count, image_size=8)[0]


def test_varied_samples_do_not_warn_and_their_diversity_is_logged(monkeypatch):
    dataset = data.load("digits", image_size=8, batch_size=64)
    model = tiny_dcgan()
    real = _real_digits()  # a generator whose samples are as varied as real digits
    monkeypatch.setattr(model, "generate", lambda count, seed=None, **_: np.random.default_rng(seed).permutation(real)[:count])
    warning = ModeCollapseWarning(next(iter(dataset)).numpy(), num_samples=32, patience=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(dataset.take(5), epochs=2, verbose=0, callbacks=[warning])
    assert not [w for w in caught if issubclass(w.category, ModeCollapse)] and not warning.warned
    assert history.history["diversity"] == pytest.approx(warning.ratios)
    assert min(warning.ratios) > guards.DEFAULT_THRESHOLD and warning.epochs == [1, 2]
    assert "(not collapsed: the threshold is 0.3)" in warning.summary()


def test_alike_samples_at_the_last_check_warn_and_a_recovery_is_told(monkeypatch):
    model = tiny_dcgan()
    real = _real_digits()
    alike = np.repeat(real[:1], 32, axis=0) + np.random.default_rng(0).normal(0, 0.01, (32, 8, 8, 1)).astype("float32")
    phases = iter([alike, real[:32], alike])  # collapsed, varied, collapsed again
    monkeypatch.setattr(model, "generate", lambda count, seed=None, **_: next(phases))
    warning = ModeCollapseWarning(real, num_samples=32, patience=2)
    with pytest.warns(ModeCollapse, match="mode collapse at epoch 1") as caught:
        model.fit(IMAGES, batch_size=8, epochs=1, verbose=0, callbacks=[warning])  # one check, the last: it warns
    assert len(caught) == 1 and warning.warned
    with mock.patch.object(guards.logging, "warning") as said:
        model.fit(IMAGES, batch_size=8, epochs=2, verbose=0, callbacks=[warning])  # varied, then alike: no second warning
    assert said.call_args_list[0].args[0].startswith("the samples are varied again at epoch 1")
    assert [ratio < 0.3 for ratio in warning.ratios] == [True, False, True]
    assert "(collapsed: the threshold is 0.3)" in warning.summary()


def test_points_of_the_mixture_gan_and_a_cgan_with_cycled_labels(monkeypatch):
    points = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    model = GAN(units=8, depth=1, seed=0)
    model.compile(jit_compile=False)
    warning = ModeCollapseWarning(points, num_samples=32)
    model.fit(points, batch_size=16, epochs=1, verbose=0, callbacks=[warning])
    assert len(warning.ratios) == 1 and warning.ratios[0] > 0

    cgan = CGAN(image_shape=(8, 8, 1), num_classes=3, latent_dim=4, filters=4, seed=0)
    cgan.compile()
    calls, generate = [], cgan.generate
    monkeypatch.setattr(cgan, "generate", lambda *args, **kwargs: calls.append(kwargs) or generate(*args, **kwargs))
    images, labels = testing.labelled((8, 8, 1), 3, count=16)
    history = cgan.fit(images, labels, batch_size=8, epochs=1, verbose=0, callbacks=[ModeCollapseWarning(images, num_samples=7)])
    assert calls[0]["seed"] == 0 and calls[0]["labels"].tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert np.isfinite(history.history["diversity"]).all()


def test_models_that_do_not_sample_are_skipped_with_one_info_log(caplog):
    caplog.set_level(logging.INFO, logger="absl")
    model = DANN(input_shape=(2,), num_classes=2, seed=0)
    model.compile()
    warning = ModeCollapseWarning(testing.images((2,)))
    (source, target), labels = testing.domains((2,), 2)
    history = model.fit(tf.data.Dataset.from_tensors(((source, target), labels)).repeat(2), epochs=2, verbose=0, callbacks=[warning])
    assert "diversity" not in history.history and warning.ratios == []
    skipped = [record.getMessage() for record in caplog.records if "ModeCollapseWarning skips" in record.getMessage()]
    assert skipped == ["ModeCollapseWarning skips DANN: it classifies rather than samples: use predict(x) or features(x)"]


def test_mode_collapse_warning_arguments_are_checked():
    with pytest.raises(ValueError, match="patience must be an integer >= 1, got 0"):
        ModeCollapseWarning(IMAGES, patience=0)
    for threshold in (0, -0.1):
        with pytest.raises(ValueError, match="threshold is a ratio of diversities: it must be > 0"):
            ModeCollapseWarning(IMAGES, threshold=threshold)
    with pytest.raises(ValueError, match="needs reference: an array of real samples"):
        ModeCollapseWarning()
    for reference in (np.zeros(5), IMAGES[:1]):
        with pytest.raises(ValueError, match="reference must be a batch of at least 2 real samples"):
            ModeCollapseWarning(reference)
    with pytest.raises(ValueError, match="for labelled data give the images only"):
        ModeCollapseWarning(testing.labelled((8, 8, 1), 3))
    with pytest.raises(ValueError, match="the reference samples are all identical"):
        ModeCollapseWarning(np.zeros((4, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"reference samples have shape \(4, 4, 1\) but DCGAN makes \(8, 8, 1\)"):
        tiny_dcgan().fit(IMAGES, batch_size=8, epochs=1, verbose=0, callbacks=[ModeCollapseWarning(IMAGES[:, :4, :4])])


def test_both_run_under_mirrored_strategy():
    with testing.two_cpu_strategy().scope():
        model = GAN(units=8, depth=1, seed=0)
        model.compile(jit_compile=False)
    points = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    guard, warning = DivergenceGuard(weight_every=1), ModeCollapseWarning(points, num_samples=16)
    history = model.fit(points, batch_size=16, epochs=2, verbose=0, callbacks=[guard, warning])
    assert not guard.diverged and len(history.history["diversity"]) == 2
