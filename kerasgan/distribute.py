"""tf.distribute strategies for training a zoo model on more devices (mixed precision: kerasgan.precision).

Build and compile inside the strategy's scope, then fit as usual:

    with distribute.strategy("mirrored").scope():
        model = DCGAN(image_shape=(32, 32, 1))
        model.compile()
    model.fit(dataset)

References: https://www.tensorflow.org/guide/distributed_training,
https://www.tensorflow.org/tutorials/distribute/multi_worker_with_keras.
"""
import json
import os

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")

TF_CONFIG_EXAMPLE = (
    '{"cluster": {"worker": ["host0:12345", "host1:12345"]}, "task": {"type": "worker", "index": 0}}'
)


def strategy(name, tpu=None):
    """The tf.distribute strategy called `name`: default, mirrored, multi_worker (cluster from TF_CONFIG) or tpu."""
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        _check_tf_config()
        return _MultiWorkerMirroredStrategy()
    if name == "tpu":
        return _tpu_strategy(tpu)
    raise ValueError(f"unknown strategy {name!r}: use one of {', '.join(STRATEGIES)}")


class _MultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
    """MultiWorkerMirroredStrategy whose `reduce` takes what Keras 3's `fit` gives it.

    Keras 3.15 meets two gaps of TensorFlow's multi-worker `reduce`: it reduces every metric
    of a step with `reduce("MEAN", value, axis=0)`, which fails for the scalars every model
    returns ("Invalid reduction dimension 0 for input with 0 dimensions",
    tensorflow/tensorflow#72388): a scalar has no axis, the mean over replicas is what is
    meant. And before training it reduces the first batch, which for (images, labels) or
    pairs is a nested structure that only MirroredStrategy maps over: done here leaf by leaf.
    """

    def reduce(self, reduce_op, value, axis):
        if not isinstance(value, tf.distribute.DistributedValues) and tf.nest.is_nested(value):
            return tf.nest.map_structure(lambda part: self.reduce(reduce_op, part, axis), value)
        parts = value.values if isinstance(value, tf.distribute.DistributedValues) else (value,)
        if axis is not None and all(getattr(part, "shape", None) == () for part in parts):
            axis = None
        return super().reduce(reduce_op, value, axis)


def _check_tf_config():
    """Raises ValueError unless TF_CONFIG holds a JSON cluster spec and this process's task in it."""
    text = os.environ.get("TF_CONFIG")
    advice = f"set TF_CONFIG on every worker, e.g. TF_CONFIG='{TF_CONFIG_EXAMPLE}' (its own index on each)"
    if not text:
        raise ValueError(f"the multi_worker strategy needs the cluster in the TF_CONFIG environment variable: {advice}")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}): {advice}") from None
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict) or "task" not in config:
        raise ValueError(f"TF_CONFIG needs a 'cluster' and a 'task': {advice}")


def _tpu_strategy(tpu):
    """Connects to the TPU named `tpu` (None: the local or environment-configured one) and returns a TPUStrategy."""
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except Exception as error:  # the resolver fails in many ways: no name, a metadata-server URLError, ...
        where = f"--tpu={tpu}" if tpu else "no --tpu given"
        message = (str(error).strip().splitlines() or [type(error).__name__])[0].rstrip(".")
        raise ValueError(
            f"cannot connect to a TPU ({where}): {message}; pass --tpu=<name or grpc:// address>"
        ) from None
    return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy):
    """True where this process should write files: always, except on a non-chief worker of a multi-worker cluster."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type is None:  # a local (single-worker) MultiWorkerMirroredStrategy
        return True
    if task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "worker" and task_id == 0 and not has_chief
