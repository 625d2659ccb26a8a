"""The contract every kerasgan model passes: public checks for a model's own test file.

A model's test file describes it once as a `ModelCase` (a factory with tiny arguments, a tiny
batch, its pinned parameter count, and what each optimizer updates per step) and calls
`check_contract(case, tmp_path)` (and `check_slow_contract(case, tmp_path)`): built
sizes, config round trip, `fit` updating every network, `.keras` round trip with the optimizer
state, SavedModel and TFLite exports matching Keras, MirroredStrategy over two CPUs matching one
device, XLA tracing once, mixed precision. It needs two logical CPU devices for the strategy
checks (tests/conftest.py sets them). keras-hub's `TestCase.run_backbone_test` is the model.
"""
import dataclasses
import functools
import os
import shutil
from typing import Callable, Optional

import keras
import numpy as np
import tensorflow as tf

from kerasgan import checkpoints, export, precision


@dataclasses.dataclass
class ModelCase:
    """A model at tiny size and what one training step must do to it.

    Args:
        name: the case's name in messages.
        make: builds the model (uncompiled).
        batch: returns one training batch (arrays in the structure fit takes from a dataset).
        params: the pinned parameter count (a change of the networks changes it).
        updates: optimizer attribute -> (network attribute(s) it updates, updates per train step).
        make_deterministic: the same model without layers that draw their own per-replica noise
            (Dropout), for the one-device vs MirroredStrategy equivalence; None: `make` has none.
        callbacks: returns the training callbacks the model's recipe uses (its schedules).
        resume_with_xla: the resume check compiles the step with XLA (`kerasgan train --jit_compile=true`):
            TensorFlow's graph executor on the CPU rounds some steps differently from run to run now and then
            (measured on WGAN's step of several critic updates, deterministic ops or not).
    """

    name: str
    make: Callable[[], keras.Model]
    batch: Callable[[], object]
    params: int
    updates: dict
    make_deterministic: Optional[Callable[[], keras.Model]] = None
    callbacks: Callable[[], list] = list  # the paper's schedules, which a resumed run must restore too
    resume_with_xla: bool = False


ONE_EACH = {"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 1)}


def images(shape, count=8, seed=0):
    """`count` uniform random images in [-1, 1] of `shape`."""
    return np.random.default_rng(seed).uniform(-1, 1, (count,) + tuple(shape)).astype("float32")


def points(dim=2, count=8, seed=0):
    """`count` standard normal vectors of length `dim`."""
    return np.random.default_rng(seed).normal(size=(count, dim)).astype("float32")


def pairs(first, second, count=8):
    """(images of shape `first`, images of shape `second`): a translator's batch."""
    return images(first, count, seed=0), images(second, count, seed=1)


def labelled(shape, num_classes, count=8):
    """(images, labels 0, 1, ... cycled): a conditional model's batch."""
    return images(shape, count), (np.arange(count) % num_classes).astype("int32")


def domains(shape, num_classes, count=8):
    """((source_x, target_x), source_y): a domain-adversarial model's batch."""
    return (images(shape, count, seed=0), images(shape, count, seed=1)), (np.arange(count) % num_classes).astype("int32")


FAST_CHECKS = ("builds", "config", "fit", "keras_file", "saved_model")
SLOW_CHECKS = ("resume", "tflite", "onnx", "mirrored", "mirrored_equivalence", "xla", "mixed_bfloat16", "mixed_float16")


def check_contract(case, tmp_path, checks=FAST_CHECKS):
    """Runs the named checks of the contract on `case`; `tmp_path` is a folder for the files it writes."""
    for check in checks:
        if check == "builds":
            check_builds(case)
        elif check == "config":
            check_config_round_trip(case)
        elif check == "fit":
            check_fit_updates_every_network(case)
        elif check == "keras_file":
            check_keras_round_trip(case, tmp_path)
        elif check == "saved_model":
            check_saved_model_export(case, tmp_path)
        elif check == "resume":
            check_resume(case, tmp_path)
        elif check == "tflite":
            check_tflite_export(case, tmp_path)
        elif check == "onnx":
            check_onnx_export(case, tmp_path)
        elif check == "mirrored":
            check_mirrored_step(case)
        elif check == "mirrored_equivalence":
            check_mirrored_equivalence(case)
        elif check == "xla":
            check_traced_once(case, jit_compile=True)
        elif check.startswith("mixed_"):
            check_mixed_precision_step(case, check)
        else:
            raise ValueError(f"unknown check {check!r}: use those of FAST_CHECKS and SLOW_CHECKS")


def check_slow_contract(case, tmp_path):
    """The slower half of the contract: exact resume, TFLite, MirroredStrategy, XLA and mixed precision."""
    check_contract(case, tmp_path, SLOW_CHECKS)


def generator_outputs(model, inputs):
    """What serving_default returns for `inputs` (any zoo model, conditional or not)."""
    function, _ = model.serving_endpoints()["serving_default"]
    return {name: np.asarray(value) for name, value in function(**inputs).items()}


def weights_of(network):
    """The trainable weights of a network, or of a list of them (a list of discriminators)."""
    networks = network if isinstance(network, (list, tuple)) else [network]
    return [np.array(v) for one in networks for v in one.trainable_variables]


def iterations(model, optimizer):
    """How many updates the optimizer attribute `optimizer` of `model` has made."""
    return int(keras.ops.convert_to_numpy(getattr(model, optimizer).iterations))


def fit_steps(model, batch, steps):
    """Fits `steps` steps of one batch each; returns the History."""
    dataset = tf.data.Dataset.from_tensors(batch).repeat(steps)
    return model.fit(dataset, epochs=1, verbose=0, shuffle=False)


def check_builds(case):
    model = case.make()
    outputs = generator_outputs(model, model.serving_examples(3))
    assert next(iter(outputs.values())).shape == (3,) + model.sample_shape
    assert model.count_params() == case.params, f"{case.name}: {model.count_params()} parameters"


def check_config_round_trip(case):
    model = case.make()
    config = model.get_config()
    restored = type(model).from_config(config)
    assert restored.get_config() == config


def network_names(names):
    return (names,) if isinstance(names, str) else names


def count_traces(model):
    """A list that grows by one each time `fit` traces the model's train_step (Python runs only while tracing)."""
    traced, train_step = [], model.train_step
    model.train_step = lambda data: traced.append(1) or train_step(data)
    return traced


def check_fit_updates_every_network(case, steps=2):
    """Every network changes, as many optimizer updates as the case says, and the step is traced once."""
    # Keras draws initial weights from a global generator: seed it, so that the outcome does not depend on the tests
    # that ran before in this process (a hinge loss's logit bias, say, gets no gradient while every logit is in the margin)
    keras.utils.set_random_seed(0)
    model = case.make()
    model.compile()
    names = [name for networks, _ in case.updates.values() for name in network_names(networks)]
    before = {network: weights_of(getattr(model, network)) for network in names}
    traced = count_traces(model)
    history = fit_steps(model, case.batch(), steps)
    assert len(traced) == 1, f"{case.name}: train_step traced {len(traced)} times in {steps} steps"
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), f"{case.name}: {name} = {history.history[name]}"
    for optimizer, (networks, per_step) in case.updates.items():
        for network in network_names(networks):
            after = weights_of(getattr(model, network))
            changed = [not np.array_equal(a, b) for a, b in zip(before[network], after)]
            assert all(changed), f"{case.name}: {network} variables unchanged: {changed}"
        assert iterations(model, optimizer) == steps * per_step


def check_keras_round_trip(case, tmp_path):
    model = case.make()
    model.compile()
    fit_steps(model, case.batch(), 1)
    path = str(tmp_path / f"{case.name}.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    inputs = model.serving_examples(4, seed=3)
    for name, value in generator_outputs(model, inputs).items():
        np.testing.assert_allclose(generator_outputs(restored, inputs)[name], value, atol=1e-6)
    for optimizer in case.updates:
        assert iterations(restored, optimizer) == iterations(model, optimizer)
        for saved, loaded in zip(getattr(model, optimizer).variables, getattr(restored, optimizer).variables):
            np.testing.assert_allclose(np.array(loaded), np.array(saved))
    fit_steps(restored, case.batch(), 1)
    for optimizer, (_, per_step) in case.updates.items():
        assert iterations(restored, optimizer) == 2 * per_step


def check_saved_model_export(case, tmp_path):
    model = case.make()
    path = export.saved_model(model, str(tmp_path / case.name))
    assert path.endswith("/1")
    loaded = tf.saved_model.load(path)
    endpoints = model.serving_endpoints()
    assert set(loaded.signatures) == set(endpoints)
    inputs = model.serving_examples(3, seed=5)
    function, _ = endpoints["serving_default"]
    outputs = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in inputs.items()})
    for name, expected in function(**inputs).items():
        np.testing.assert_allclose(outputs[name].numpy(), np.asarray(expected), atol=1e-5)


def check_tflite_export(case, tmp_path):
    model = case.make()
    path = export.tflite(model, str(tmp_path / f"{case.name}.tflite"))
    assert export.tflite_parity(model, path)["max_abs_error"] <= 1e-4


def check_onnx_export(case, tmp_path):
    """serving_default as ONNX runs in onnxruntime at float32 parity with Keras, at two batch sizes."""
    model = case.make()
    path = export.onnx(model, str(tmp_path / f"{case.name}.onnx"))
    for count in (3, 5):
        assert export.onnx_parity(model, path, model.serving_examples(count, seed=count))["max_abs_error"] <= 1e-4, case.name


@functools.cache
def two_cpu_strategy():
    """One MirroredStrategy over the two logical CPUs for the whole session.

    A second MirroredStrategy in one process reuses the first one's collective instance
    keys, and its all-reduces then fail with "Shape mismatch in the collective instance".
    """
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def check_mirrored_step(case):
    strategy = two_cpu_strategy()
    with strategy.scope():
        model = case.make()
        model.compile()
    history = fit_steps(model, case.batch(), 1)
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name]))
    for optimizer, (_, per_step) in case.updates.items():
        assert iterations(model, optimizer) == per_step


def check_mirrored_equivalence(case, learning_rate=0.1):
    """One step on a global batch under MirroredStrategy over two CPUs gives the weights and
    logged metrics of one step on one device, with the same batch, weights and noise.

    Plain SGD, because Adam's first step, m / sqrt(v), would hide a loss scaled by the
    number of replicas; gradients are summed across replicas, so that is what this checks.
    The one-device step runs eagerly: the step as written, op by op, is the reference.
    """
    make = _in_float32(case.make_deterministic or case.make)  # the replicas' arithmetic, not bfloat16 rounding
    keras.utils.set_random_seed(0)  # the same initial weights whatever ran before in this process
    sgd = lambda: dict(  # noqa: E731
        generator_optimizer=keras.optimizers.SGD(learning_rate), discriminator_optimizer=keras.optimizers.SGD(learning_rate)
    )
    single = make()
    single.compile(**sgd(), jit_compile=False, run_eagerly=True)  # not XLA, as under the strategy: it draws other random numbers
    with two_cpu_strategy().scope():
        mirrored = make()
        mirrored.compile(**sgd(), jit_compile=False)
    mirrored.set_weights(single.get_weights())
    before = [np.array(v) for v in single.weights]
    logged = {name: fit_steps(model, case.batch(), 1).history for name, model in (("single", single), ("mirrored", mirrored))}
    for name in single.metric_names:
        # atol 1e-5: a weight-clipped critic's losses are ~1e-4; a mis-scaled loss would be off by 2x.
        np.testing.assert_allclose(
            logged["mirrored"][name], logged["single"][name], rtol=1e-4, atol=1e-5, err_msg=f"{case.name}: {name}"
        )
    for start, one, two in zip(before, single.weights, mirrored.weights):
        step_one, step_two = np.array(one) - start, np.array(two) - start
        scale = max(float(np.abs(step_one).max(initial=0.0)), 1e-6)
        # A step is read as a difference of float32 weights: it is known to a few ulps of the weight
        # (a weight-clipped critic's generator steps, ~1e-7, are within 2 ulps of each other under a summation order change).
        resolution = 4 * float(np.spacing(np.abs(start).max(initial=0.0).astype("float32")))
        np.testing.assert_allclose(
            step_two, step_one, rtol=0, atol=max(1e-3 * scale, resolution), err_msg=f"{case.name}: {one.path}"
        )


def _in_float32(make):
    """`make` with precision="auto" meaning float32."""

    def made():
        with precision.auto_is("float32"):
            return make()

    return made


def check_traced_once(case, jit_compile, epochs=2, steps=3):
    """`fit` traces the whole multi-optimizer step once (XLA-compiled when `jit_compile`), not once per step."""
    model = case.make()
    model.compile(jit_compile=jit_compile)
    traced = count_traces(model)
    dataset = tf.data.Dataset.from_tensors(case.batch()).repeat(steps)
    history = model.fit(dataset, epochs=epochs, verbose=0, shuffle=False)
    assert len(traced) == 1, f"{case.name}: train_step traced {len(traced)} times in {epochs * steps} steps"
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), f"{case.name}: {name} = {history.history[name]}"
    for optimizer, (_, per_step) in case.updates.items():
        assert iterations(model, optimizer) == epochs * steps * per_step


def check_mixed_precision_step(case, policy):
    """Under a mixed policy: float32 outputs and logits, loss scaling under float16, finite metrics."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = case.make()
        model.compile()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    for network in model.generator_networks() + model.discriminator_networks():
        for output in network.outputs:
            assert output.dtype == "float32", f"{case.name}: {network.name} outputs {output.dtype}"
    for optimizer in case.updates:
        scaled = isinstance(getattr(model, optimizer), keras.optimizers.LossScaleOptimizer)
        assert scaled == (policy == "mixed_float16"), f"{case.name}: {optimizer} under {policy}"
    history = fit_steps(model, case.batch(), 2)
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), f"{case.name}: {name} = {history.history[name]}"


def training_state(model):
    """Every weight, optimizer variable and random generator state of a compiled model, as arrays."""
    optimizers = [model.generator_optimizer, model.discriminator_optimizer]
    variables = list(model.weights) + [v for o in optimizers for v in o.variables] + checkpoints.seed_states(model)
    return [keras.ops.convert_to_numpy(v) for v in variables]


def _stream(batch, batch_size=2):
    """Four batches per epoch, reshuffled each epoch, repeated: the form `kerasgan train` fits on."""
    dataset = tf.data.Dataset.from_tensor_slices(batch).shuffle(8, seed=0, reshuffle_each_iteration=True)
    return checkpoints.stream(dataset.batch(batch_size, drop_remainder=True))


def check_resume(case, tmp_path):
    """A run resumed from a mid-epoch checkpoint ends with exactly the state of an uninterrupted one.

    The uninterrupted run writes checkpoints; then the same model, two steps further on, resumes from the
    checkpoint of step 6 (epoch 2, batch 2) and must reach the same weights, optimizer states and random
    generator states. The step is XLA-compiled when the case says so (`ModelCase.resume_with_xla`).
    """
    model = case.make()
    model.compile(jit_compile=True if case.resume_with_xla else "auto")
    rates = [(optimizer, float(optimizer.learning_rate)) for optimizer in (model.generator_optimizer, model.discriminator_optimizer)]
    dataset, steps = _stream(case.batch())
    assert steps == 4, f"{case.name}: the batch must hold 8 examples"
    full = os.path.join(str(tmp_path), "full")
    first = checkpoints.Checkpoints(full, every=3, keep=10)
    model.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=case.callbacks() + [first])
    uninterrupted = training_state(model)
    assert sorted(os.listdir(full)) == [f"step-{s:09d}" for s in (3, 6, 8)]  # every 3 steps, and the end
    cut = os.path.join(str(tmp_path), "cut")  # what a run killed between steps 6 and 9 leaves
    for step in (3, 6):
        shutil.copytree(os.path.join(full, f"step-{step:09d}"), os.path.join(cut, f"step-{step:09d}"))
    for optimizer, rate in rates:  # as a new process compiles them; the schedules start from these
        optimizer.learning_rate = rate
    resumed = checkpoints.Checkpoints(cut, every=3, keep=10, verbose=0)
    dataset, steps = _stream(case.batch())
    model.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0, callbacks=case.callbacks() + [resumed])
    assert resumed.restored == os.path.join(cut, f"step-{6:09d}")
    for expected, actual in zip(uninterrupted, training_state(model), strict=True):
        np.testing.assert_array_equal(actual, expected)
    # the restored epoch's logs, and the resumed one's
    assert resumed.history == first.history, f"{case.name}: resumed logs {resumed.history}, uninterrupted {first.history}"
