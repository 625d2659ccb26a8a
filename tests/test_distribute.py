"""kerasgan.distribute: strategy names, the chief rule, mixed precision; and the CLI's flags for them.

No MirroredStrategy is created in this process: a second one would break the collectives of
the contract's (kerasgan.testing.two_cpu_strategy). The real strategies run in subprocesses
here and in test_multi_worker.py.
"""
import json
import os
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import callbacks, distribute
from kerasgan.zoo import DCGAN

KERASGAN = os.path.join(os.path.dirname(sys.executable), "kerasgan")
TINY = ["--dataset=digits", "--image_size=16", "--num_samples=64", "--batch_size=32", "--filters=8", "--latent_dim=8"]
ONE_WORKER = json.dumps({"cluster": {"worker": ["127.0.0.1:12345"]}, "task": {"type": "worker", "index": 0}})


def kerasgan(*arguments, env=None):
    command = [KERASGAN] if os.path.exists(KERASGAN) else [sys.executable, "-m", "kerasgan.cli"]
    return subprocess.run(
        command + list(arguments), capture_output=True, text=True, timeout=300,
        env={**(env if env is not None else os.environ), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )


def test_default_is_the_current_strategy():
    assert distribute.strategy("default") is tf.distribute.get_strategy()


def test_mirrored_is_a_mirrored_strategy_over_the_local_devices(monkeypatch):
    made = []
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", lambda *args, **kwargs: made.append((args, kwargs)) or "m")
    assert distribute.strategy("mirrored") == "m" and made == [((), {})]


def test_multi_worker_is_a_multi_worker_mirrored_strategy_from_tf_config(monkeypatch):
    assert issubclass(distribute._MultiWorkerMirroredStrategy, tf.distribute.MultiWorkerMirroredStrategy)
    made = []
    monkeypatch.setattr(distribute, "_MultiWorkerMirroredStrategy", lambda *args: made.append(args) or "mw")
    monkeypatch.setenv("TF_CONFIG", ONE_WORKER)
    assert distribute.strategy("multi_worker") == "mw" and made == [()]


@pytest.mark.parametrize(
    "tf_config,message",
    [
        (None, "needs the cluster in the TF_CONFIG environment variable"),
        ("{'cluster': ", "TF_CONFIG is not valid JSON"),
        ('{"task": {"type": "worker", "index": 0}}', "TF_CONFIG needs a 'cluster' and a 'task'"),
    ],
)
def test_multi_worker_without_a_usable_tf_config_says_how_to_set_it(monkeypatch, tf_config, message):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ValueError, match=message) as error:
        distribute.strategy("multi_worker")
    assert 'TF_CONFIG=\'{"cluster": {"worker": [' in str(error.value)


def test_an_unknown_strategy_lists_the_names():
    with pytest.raises(ValueError, match="unknown strategy 'gpu': use one of default, mirrored, multi_worker, tpu"):
        distribute.strategy("gpu")


def test_tpu_without_a_tpu_names_the_flag():
    with pytest.raises(ValueError, match=r"cannot connect to a TPU \(no --tpu given\)"):
        distribute.strategy("tpu")


class _Cluster(tf.distribute.MultiWorkerMirroredStrategy):
    """A MultiWorkerMirroredStrategy that only holds a cluster resolver (nothing is started)."""

    def __init__(self, cluster, task_type, task_id):  # no super().__init__: no collectives
        self._resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
            tf.train.ClusterSpec(cluster), task_type=task_type, task_id=task_id
        )

    @property
    def cluster_resolver(self):
        return self._resolver


WORKERS = {"worker": ["a:1", "b:1"]}
WITH_CHIEF = {"chief": ["c:1"], "worker": ["a:1", "b:1"], "evaluator": ["e:1"]}


@pytest.mark.parametrize(
    "cluster,task_type,task_id,chief",
    [
        (WORKERS, "worker", 0, True),  # no chief: worker 0 is
        (WORKERS, "worker", 1, False),
        (WITH_CHIEF, "chief", 0, True),
        (WITH_CHIEF, "worker", 0, False),
        (WITH_CHIEF, "evaluator", 0, False),
    ],
)
def test_is_chief_follows_the_cluster_spec(cluster, task_type, task_id, chief):
    assert distribute.is_chief(_Cluster(cluster, task_type, task_id)) is chief


def test_single_process_strategies_are_chief():
    assert distribute.is_chief(tf.distribute.get_strategy()) and distribute.is_chief(None)


def test_a_model_built_in_a_strategy_scope_in_bfloat16_computes_in_16_bits(float32_after):
    with distribute.strategy("default").scope():
        model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1, precision="bfloat16")
        model.compile()
    assert model.dtype_policy.name == "mixed_bfloat16"
    dense = next(layer for layer in model.generator.layers if isinstance(layer, keras.layers.Dense))
    assert dense.compute_dtype == "bfloat16"  # the outputs stay float32
    assert all(variable.dtype == "float32" for variable in model.generator.trainable_variables)


def test_sample_grid_on_a_non_chief_worker_draws_but_writes_nothing(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(distribute, "is_chief", lambda strategy: False)
    monkeypatch.setattr(callbacks.plots, "picture", lambda *args: drawn.append(args) or (np.zeros((4, 16, 16, 1)), 2))
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
    model.compile()
    grid = callbacks.SampleGrid(str(tmp_path / "samples"), num_images=4, every=1, log_dir=str(tmp_path / "logs"))
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    model.fit(images, batch_size=8, epochs=2, verbose=0, callbacks=[grid])
    assert len(drawn) == 2 and grid.last_path is None
    assert os.listdir(tmp_path) == []


def test_train_with_the_mirrored_strategy_in_mixed_precision(tmp_path):
    run = tmp_path / "run"
    result = kerasgan("train", "--strategy=mirrored", "--precision=bfloat16", "--jit_compile=false", *TINY, "--epochs=1",
                      f"--output_dir={run}", f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert {"samples.png", "model.keras", "history.json", "loss_curve.png"} <= set(os.listdir(run))
    assert os.listdir(tmp_path / "saved_models" / "dcgan") == ["1"]
    history = json.loads((run / "history.json").read_text())
    assert all(np.isfinite(values[0]) for values in history.values())
    config = json.loads(zipfile.ZipFile(run / "model.keras").read("config.json"))
    assert config["config"]["dtype"]["config"]["name"] == "mixed_bfloat16"
    assert config["compile_config"]["jit_compile"] is False


@pytest.mark.parametrize(
    "arguments,env_tf_config,message",
    [
        (["--strategy=gpu"], None, "kerasgan: error: flag --strategy=gpu: value should be one of "
                                   "<default|mirrored|multi_worker|tpu>"),
        (["--jit_compile=yes"], None, "flag --jit_compile=yes: value should be one of <auto|true|false>"),
        (["--strategy=multi_worker"], None, "the multi_worker strategy needs the cluster in the TF_CONFIG"),
        (["--strategy=multi_worker"], "not json", "TF_CONFIG is not valid JSON"),
    ],
)
def test_bad_strategy_input_is_one_line_and_exit_status_2(arguments, env_tf_config, message, tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "TF_CONFIG"}
    if env_tf_config is not None:
        env["TF_CONFIG"] = env_tf_config
    result = kerasgan("train", *arguments, f"--output_dir={tmp_path / 'run'}", env=env)
    assert result.returncode == 2, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("kerasgan: error:")]
    assert len(lines) == 1 and message in lines[0], result.stderr[-3000:]
    assert "Traceback" not in result.stderr and not (tmp_path / "run").exists()
