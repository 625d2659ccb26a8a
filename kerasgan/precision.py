"""The numeric precision a model computes in: float32, or 16-bit compute with float32 weights.

Mixed precision (Micikevicius et al. 2018, arXiv:1710.03740) keeps the variables in float32
and runs the layers in a 16-bit type: bfloat16 on CPUs that compute it natively
(avx512_bf16, AMX) and on TPUs; float16 with loss scaling on GPUs with tensor cores (compute
capability 7.0 or newer). kerasgan's networks end in float32 layers, so outputs, losses and
metrics stay float32 whatever the policy.

`precision="auto"` (the default of every model and of `kerasgan train`) picks the machine's
16-bit type for the models whose sample quality was measured to hold under it (the class
method `mixed_precision_by_default`, which sees the constructor's arguments and follows
BENCHMARKS.md's Precision section) and float32 for the others and on machines without
native 16-bit arithmetic. A global policy set with `keras.mixed_precision.set_global_policy`
is kept under "auto".
"""
import contextlib
import functools
import inspect
import threading

import keras
import tensorflow as tf

CHOICES = ("auto", "float32", "bfloat16", "float16")
POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}
NATIVE_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
TENSOR_CORES = (7, 0)  # the first compute capability with float16 tensor cores (Volta)

_building = threading.local()
_auto = threading.local()  # what "auto" means inside `auto_is`


def cpu_flags(path="/proc/cpuinfo"):
    """The instruction-set flags of the first CPU in /proc/cpuinfo (an empty set where there is none)."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def native_policy():
    """The mixed policy this machine computes natively: mixed_bfloat16 (TPU, CPU with bf16 instructions),
    mixed_float16 (GPU with tensor cores), or None."""
    if isinstance(tf.distribute.get_strategy(), tf.distribute.TPUStrategy) or tf.config.list_physical_devices("TPU"):
        return "mixed_bfloat16"
    gpus = tf.config.list_physical_devices("GPU")  # physical: leaves the runtime uninitialized
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability") or (0, 0)
        return "mixed_float16" if tuple(capability) >= TENSOR_CORES else None
    if cpu_flags() & set(NATIVE_BF16_CPU_FLAGS):
        return "mixed_bfloat16"
    return None


def policy_name(precision, model_class=None, arguments=None):
    """The Keras dtype policy of `precision` for a model of `model_class` built with `arguments`.

    Args:
        precision: "auto", "float32", "bfloat16" or "float16".
        model_class: the model's class; under "auto" only a model whose class's
            `mixed_precision_by_default(arguments)` is true gets the native 16-bit policy.
        arguments: the model constructor's arguments by name (omitted: its defaults).
    """
    if precision not in CHOICES:
        raise ValueError(f"precision must be one of {', '.join(CHOICES)}, got {precision!r}")
    if precision == "auto" and getattr(_auto, "value", None):
        precision = _auto.value
    if precision != "auto":
        return POLICIES[precision]
    chosen = keras.mixed_precision.global_policy().name
    if chosen != "float32":  # the user's own global policy
        return chosen
    if model_class is not None and not model_class.mixed_precision_by_default(arguments or {}):
        return "float32"
    return native_policy() or "float32"


def precision_of(policy):
    """The `precision` value of a Keras policy name: "float32", "bfloat16" or "float16"."""
    for precision, name in POLICIES.items():
        if name == policy:
            return precision
    raise ValueError(f"kerasgan computes in float32, mixed_bfloat16 or mixed_float16, got the dtype policy {policy!r}")


@contextlib.contextmanager
def auto_is(precision):
    """precision="auto" means `precision` ("float32", ...) for the models built inside the block (a check of
    float32 arithmetic, say, on a machine where auto would pick 16 bits)."""
    before = getattr(_auto, "value", None)
    _auto.value = precision
    try:
        yield
    finally:
        _auto.value = before


def computed_precision(networks, requested):
    """The precision `networks` compute in: a 16-bit type if any of their layers computes in one, else
    float32 (networks built outside a model, e.g. given to it, keep theirs); `requested` when there are none."""
    if not networks:
        return requested
    names = {layer.dtype_policy.name for network in networks for layer in network._flatten_layers()}
    for name in ("mixed_bfloat16", "mixed_float16"):
        if name in names:
            return precision_of(name)
    return "float32"


@contextlib.contextmanager
def global_policy(name):
    """Keras' global dtype policy set to `name` inside the block, restored after it."""
    before = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)


def built_under_precision(init):
    """Wraps a model class's `__init__`: it takes `precision=` and builds its networks under that policy.

    Only the outermost `__init__` of a construction resolves the precision (a subclass's `__init__`
    calls its base's, which then builds under the same policy); it sets `model.precision`.
    """

    @functools.wraps(init)
    def __init__(self, *args, precision="auto", **kwargs):
        if getattr(_building, "active", False):
            return init(self, *args, **kwargs)
        try:
            arguments = signature.bind_partial(self, *args, **kwargs).arguments
        except TypeError:  # init raises it with its own message
            arguments = {}
        arguments = {**arguments.pop(var_keyword, {}), **arguments} if var_keyword else arguments
        name = policy_name(precision, type(self), arguments)
        _building.active = True
        try:
            with global_policy(name):
                init(self, *args, **kwargs)
        finally:
            _building.active = False
        networks = self.generator_networks() + self.discriminator_networks()
        self.precision = computed_precision(networks, precision_of(name))

    # Keras reads the constructor's signature (Operation.__new__): the wrapped one, with `precision`.
    signature = inspect.signature(init)
    var_keyword = next((p.name for p in signature.parameters.values() if p.kind == p.VAR_KEYWORD), None)
    parameters = list(signature.parameters.values())
    at = list(signature.parameters).index(var_keyword) if var_keyword else len(parameters)
    if "precision" not in signature.parameters:
        parameters.insert(at, inspect.Parameter("precision", inspect.Parameter.KEYWORD_ONLY, default="auto"))
    __init__.__signature__ = signature.replace(parameters=parameters)
    return __init__


def float32_copy(model):
    """`model` rebuilt to compute in float32, holding its weights: for what cannot run 16-bit ops (TFLite's
    builtin kernels); `model` itself when it computes in float32."""
    if getattr(model, "precision", "float32") == "float32":
        return model
    copy = type(model).from_config({**_in_float32(model.get_config()), "precision": "float32"})
    copy.set_weights(model.get_weights())
    return copy


def _in_float32(config):
    """A serialized config with every mixed dtype policy written as float32."""
    if isinstance(config, list):
        return [_in_float32(item) for item in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "DTypePolicy" and config.get("config", {}).get("name") in POLICIES.values():
        return {**config, "config": {**config["config"], "name": "float32"}}
    return {key: _in_float32(value) for key, value in config.items()}
