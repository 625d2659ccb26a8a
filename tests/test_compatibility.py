"""Model files saved by kerasgan 0.1.0 still load, with their optimizers, and give the same outputs."""
import os

import keras
import numpy as np
import pytest

import kerasgan  # noqa: F401  (registers the zoo classes)
from kerasgan import saving

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "v0_1_0")
CASES = sorted(name[: -len(".keras")] for name in os.listdir(FIXTURES) if name.endswith(".keras"))


def serving_default(model, inputs):
    function, _ = model.serving_endpoints()["serving_default"]
    return {name: np.asarray(value) for name, value in function(**inputs).items()}


def test_every_zoo_class_has_a_fixture():
    assert len(CASES) == 10


@pytest.mark.parametrize("case", CASES)
def test_v0_1_0_file_loads_with_the_same_outputs(case):
    expected = np.load(os.path.join(FIXTURES, f"{case}.npz"))
    model = saving.load_model(os.path.join(FIXTURES, f"{case}.keras"))
    inputs = {key[3:]: expected[key] for key in expected.files if key.startswith("in_")}
    outputs = serving_default(model, inputs)
    assert sorted(outputs) == sorted(key[4:] for key in expected.files if key.startswith("out_"))
    for name, value in outputs.items():
        np.testing.assert_allclose(value, expected[f"out_{name}"], atol=1e-5)
    assert int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations)) >= 1
    assert int(keras.ops.convert_to_numpy(model.discriminator_optimizer.iterations)) >= 1


def test_import_kerasgan_is_enough_for_keras_load_model():
    import subprocess
    import sys

    code = f"import keras, kerasgan; print(type(keras.models.load_model({os.path.join(FIXTURES, 'dcgan.keras')!r})).__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "DCGAN"
