"""jit_compile="auto" on a CPU-only machine: the faster of XLA and plain graphs, measured at the start of `fit`.

Which is faster depends on the model, its shapes and its precision (XLA fuses the many small
ops of a step with a gradient penalty, but its convolutions can be slower than oneDNN's), so
no constant per class holds. `MeasuredJitChoice` times the first steps of a long enough `fit`
both ways, in alternating blocks (the machine's speed drifts), and keeps the faster function
for the rest of training. The measured steps are training steps like the others; the cost is
compiling the step twice (a few seconds, XLA's share reported) and the slower setting's share
of the measured steps. A run resumed inside an epoch (kerasgan.checkpoints) is measured after the
batches it skips. Keras' own "auto" is off on CPUs; on GPU and TPU it is kept.
"""
import statistics
import time

import keras
import tensorflow as tf
from absl import logging
from tensorflow.python.framework.config import is_op_determinism_enabled  # no public getter; Keras reads it so too

MIN_STEPS = 400  # shorter fits keep plain graphs: the choice would cost more than it can save
WARMUP = 3  # steps dropped after each compilation (tracing, XLA compile, first allocations)
SETTLE = 1  # steps dropped after each later switch (the other setting's threads still spinning, cold caches)
BLOCK = 8  # steps timed per block
ROUNDS = 4  # blocks per setting, alternating: off, on, off, on, ...


def measuring_steps():
    """The steps the measurement takes: each setting's warm-up, settling and timed steps."""
    return 2 * (WARMUP + (ROUNDS - 1) * SETTLE + ROUNDS * BLOCK)


def measures(model, jit_compile, run_eagerly):
    """Whether `compile(jit_compile=...)` should leave the choice to a measurement in `fit`."""
    if jit_compile != "auto" or run_eagerly:
        return False
    # Under deterministic ops Keras turns XLA off, and a choice measured anew on resuming could differ from the
    # run's.
    if is_op_determinism_enabled():
        return False
    if tf.distribute.has_strategy() or getattr(model, "_distribute_strategy", None) is not None:
        return False
    return all(device.device_type == "CPU" for device in tf.config.list_physical_devices())


class MeasuredJitChoice(keras.callbacks.Callback):
    """Times the first steps of `fit` without and with XLA and keeps the faster train function.

    `fit` adds it when the model was compiled with jit_compile="auto" on a CPU-only machine and
    runs at least `MIN_STEPS` steps; `result` then holds the two median step times and the choice.
    """

    def __init__(self):
        super().__init__()
        self.functions, self.times, self.result = {}, {False: [], True: []}, None
        self.schedule, self.first_step = [], {}

    def on_train_begin(self, logs=None):
        steps, epochs = self.params.get("steps"), self.params.get("epochs") or 1
        if not steps or steps * epochs < MIN_STEPS:
            self.schedule = []
            return
        blocks = []
        for round_ in range(ROUNDS):
            dropped = WARMUP if round_ == 0 else SETTLE
            for setting in (False, True):
                blocks += [(setting, step < dropped) for step in range(dropped + BLOCK)]
        self.schedule = blocks
        self.functions[False] = self.model.train_function
        self._switch(False)

    def on_train_batch_begin(self, batch, logs=None):
        self.started = None
        # Another callback's function in place (a resumed run's batches skipped by kerasgan.checkpoints): the
        # measurement waits until it puts the train function back, so that those batches still train on nothing.
        if self.schedule and self.model.train_function is self.functions.get(self.model.jit_compile):
            setting, _ = self.schedule[0]
            if setting != self.model.jit_compile:
                self._switch(setting)
            self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if not self.schedule or self.started is None:
            return
        setting, dropped = self.schedule.pop(0)
        seconds = time.perf_counter() - self.started
        if dropped and self.first_step.get(setting) is None:
            self.first_step[setting] = seconds
        elif not dropped:
            self.times[setting].append(seconds)
        if not self.schedule:
            self._choose()

    def _switch(self, setting):
        """Makes `setting`'s train function the model's, compiling it the first time."""
        self.model.jit_compile = setting
        if setting not in self.functions:
            self.model.make_train_function(force=True)
            self.functions[setting] = self.model.train_function
        self.model.train_function = self.functions[setting]

    def _choose(self):
        off, on = (statistics.median(self.times[setting]) for setting in (False, True))
        chosen = on < off
        self._switch(chosen)
        self.functions = {}
        compile_s = self.first_step.get(True, 0.0)
        self.result = {"off_ms": 1000 * off, "on_ms": 1000 * on, "jit_compile": chosen, "xla_first_step_s": compile_s}
        logging.info(
            "jit_compile=auto: %.1f ms/step with XLA, %.1f without (median of %d steps each; XLA's first step, "
            "compiling, took %.1f s): XLA %s", 1000 * on, 1000 * off, len(self.times[True]), compile_s,
            "on" if chosen else "off",
        )
