"""SavedModel signatures for TF Serving and TFLite files for LiteRT, on a tiny DCGAN."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.images import to_uint8
from kerasgan.zoo import DCGAN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def model():
    """A tiny DCGAN whose outputs use the whole [-1, 1] range, so parity errors are not hidden."""
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=0)
    output_layer = model.generator.get_layer(index=-2)
    kernel, bias = output_layer.get_weights()
    output_layer.set_weights([kernel * 30, bias])
    assert np.std(model.generate(16, seed=0)) > 0.3
    return model


@pytest.fixture(scope="module")
def exported(model, tmp_path_factory):
    return export.saved_model(model, str(tmp_path_factory.mktemp("serving") / "dcgan"))


def test_saved_model_has_named_signatures(exported):
    signatures = tf.saved_model.load(exported).signatures
    assert set(signatures) == {"serving_default", "generate"}
    default_inputs = signatures["serving_default"].structured_input_signature[1]
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in default_inputs.items()} == {
        "z": (tf.float32, [None, 8])
    }
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in signatures["serving_default"].structured_outputs.items()} == {
        "images": (tf.float32, [None, 16, 16, 1])
    }
    generate_inputs = signatures["generate"].structured_input_signature[1]
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in generate_inputs.items()} == {
        "num_images": (tf.int32, []), "seed": (tf.int64, [])
    }
    assert signatures["generate"].structured_outputs["images_uint8"].dtype == tf.uint8


def test_generate_signature_draws_what_model_generate_draws(model, exported):
    generate = tf.saved_model.load(exported).signatures["generate"]
    images = generate(num_images=tf.constant(5), seed=tf.constant(11, tf.int64))["images_uint8"].numpy()
    assert images.shape == (5, 16, 16, 1) and images.dtype == np.uint8
    expected = to_uint8(model.generate(5, seed=11)).numpy().astype(int)
    assert np.abs(images.astype(int) - expected).max() <= 1


def test_saved_model_runs_where_kerasgan_cannot_be_imported(model, exported):
    script = f"""
import sys
sys.modules["kerasgan"] = None  # any import of kerasgan now fails
try:
    import kerasgan
    raise SystemExit("kerasgan was importable")
except ImportError:
    pass
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load({exported!r})
z = np.load(sys.argv[1])
images = loaded.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
np.save(sys.argv[2], images)
print(loaded.signatures["generate"](num_images=tf.constant(2), seed=tf.constant(0, tf.int64))["images_uint8"].shape)
"""
    z = model.serving_examples(3)["z"]
    np.save(os.path.join(exported, "..", "z.npy"), z)
    out = os.path.join(exported, "..", "images.npy")
    result = subprocess.run(
        [sys.executable, "-c", script, os.path.join(exported, "..", "z.npy"), out],
        capture_output=True, text=True, timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "(2, 16, 16, 1)" in result.stdout
    np.testing.assert_allclose(np.load(out), model(z), atol=1e-5)


def test_saved_model_cli_lists_the_signatures(exported):
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run([cli, "show", "--all", "--dir", exported], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    for line in ("signature_def['serving_default']", "signature_def['generate']", "inputs['z']",
                 "outputs['images']", "inputs['num_images']", "inputs['seed']", "outputs['images_uint8']"):
        assert line in result.stdout


def _readme_block(marker):
    """The fenced code block after `<!-- tested: marker -->` in docs/serving.md."""
    readme = open(os.path.join(ROOT, "docs", "serving.md")).read()
    match = re.search(rf"<!-- tested: {marker} -->\s*```\w*\n(.*?)```", readme, re.S)
    assert match, f"docs/serving.md has no block marked {marker}"
    return match.group(1)


def _feed_like_tf_serving(signature, inputs):
    """Turns a request's named inputs into tensors of the signature's dtypes, as TF Serving does."""
    specs = signature.structured_input_signature[1]
    return signature(**{name: tf.constant(value, dtype=specs[name].dtype) for name, value in inputs.items()})


def test_readme_rest_requests_run_against_the_signatures(model, exported):
    """The serving page's REST bodies, fed to the loaded SavedModel.

    No TF Serving binary can be installed on these machines, so the server's part (JSON
    "inputs" to tensors of the signature's dtypes) is done here; the bodies are the serving page's.
    """
    signatures = tf.saved_model.load(exported).signatures
    body = json.loads(_readme_block("rest-generate"))
    assert body["signature_name"] == "generate"
    images = _feed_like_tf_serving(signatures["generate"], body["inputs"])["images_uint8"]
    assert images.shape == (body["inputs"]["num_images"], 16, 16, 1)
    block = _readme_block("rest-serving-default")
    assert "LATENT_DIM = 100" in block  # the demo model's; this test's tiny model has another
    namespace = {}
    exec(block.replace("LATENT_DIM = 100", f"LATENT_DIM = {model.latent_dim}"), namespace)
    body = namespace["body"]
    assert body["signature_name"] == "serving_default"
    json.dumps(body)  # what the client sends must be JSON
    outputs = _feed_like_tf_serving(signatures["serving_default"], body["inputs"])
    np.testing.assert_allclose(outputs["images"], model(np.array(body["inputs"]["z"], "float32")), atol=1e-5)


def test_readme_predict_request_runs_against_the_signature(exported):
    """The serving page's tensorflow_serving.apis PredictRequest, its inputs fed to the loaded signature (no server here)."""
    namespace = {}
    exec(_readme_block("predict-request"), namespace)
    request = namespace["request"]
    assert request.model_spec.name == "dcgan" and request.model_spec.signature_name == "generate"
    signature = tf.saved_model.load(exported).signatures[request.model_spec.signature_name]
    inputs = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
    images = _feed_like_tf_serving(signature, inputs)["images_uint8"]
    assert images.dtype == tf.uint8 and images.shape[0] == int(inputs["num_images"])


# --- TFLite -------------------------------------------------------------------------------

TOLERANCES = {None: ("max_abs_error", 1e-4), "float16": ("max_abs_error", 1e-2),
              "dynamic": ("mean_abs_error", 0.05), "int8": ("mean_abs_error", 0.05)}


def tflite_ops(path):
    from ai_edge_litert.interpreter import Interpreter

    return {op["op_name"] for op in Interpreter(model_path=path)._get_ops_details()}


@pytest.mark.parametrize("quantize", export.QUANTIZATIONS)
def test_tflite_uses_builtins_only_and_matches_keras(model, quantize, tmp_path):
    path = export.tflite(model, str(tmp_path / f"dcgan_{quantize}.tflite"), quantize=quantize)
    ops = tflite_ops(path)
    assert "TRANSPOSE_CONV" in ops
    assert not [op for op in ops if "FLEX" in op.upper() or "CUSTOM" in op.upper() or "RANDOM" in op.upper()]
    measure, bound = TOLERANCES[quantize]
    parity = export.tflite_parity(model, path)
    assert parity[measure] <= bound, parity
    for batch in (1, 5):  # any batch size: the signature runner resizes the input
        z = model.serving_examples(batch, seed=batch)
        assert export.run_tflite(path, z)["images"].shape == (batch, 16, 16, 1)


def test_int8_calibrates_on_given_representative_data(model, tmp_path):
    latents = model.serving_examples(50, seed=4)["z"]
    path = export.tflite(model, str(tmp_path / "int8.tflite"), quantize="int8", representative_data=latents)
    assert export.tflite_parity(model, path)["mean_abs_error"] <= 0.05


def test_tflite_refuses_ops_outside_the_builtins(tmp_path):
    import keras

    z = keras.Input((4,), name="z")
    x = keras.layers.Dense(16)(z)
    x = keras.layers.Lambda(lambda t: tf.reshape(tf.linalg.inv(tf.reshape(t, (-1, 4, 4))), (-1, 4, 4, 1)))(x)
    generator = keras.Model(z, keras.layers.Activation("tanh")(keras.layers.Conv2D(1, 1)(x)))
    images = keras.Input((4, 4, 1))
    discriminator = keras.Model(images, keras.layers.Dense(1)(keras.layers.Flatten()(images)))
    model = DCGAN(generator=generator, discriminator=discriminator)
    message = r"does not convert to TFLite with builtin ops only: MatrixInverse \(in .*lambda.*\) is not a builtin.*Flex"
    with pytest.raises(ValueError, match=message):
        export.tflite(model, str(tmp_path / "flex.tflite"))
    assert not os.listdir(tmp_path)


def test_tflite_never_overwrites_and_checks_quantize(model, tmp_path):
    path = tmp_path / "dcgan.tflite"
    path.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="never overwrite"):
        export.tflite(model, str(path))
    assert path.read_bytes() == b"mine"
    with pytest.raises(ValueError, match="quantize must be one of"):
        export.tflite(model, str(tmp_path / "x.tflite"), quantize="int4")


def test_onnx_keeps_the_endpoints_names_any_batch_and_refuses_what_it_cannot_convert(model, tmp_path):
    path = export.onnx(model, str(tmp_path / "dcgan.onnx"))
    z = np.random.default_rng(0).normal(size=(11, 8)).astype("float32")
    outputs = export.run_onnx(path, {"z": z})
    assert list(outputs) == ["images"]
    np.testing.assert_allclose(outputs["images"], model.generator(z, training=False), atol=1e-4)
    assert export.onnx_parity(model, path)["max_abs_error"] <= 1e-4
    before = os.path.getmtime(path)
    with pytest.raises(FileExistsError, match="never overwrite"):
        export.onnx(model, path)
    assert os.path.getmtime(path) == before
    with pytest.raises(ValueError, match="draws its noise with TensorFlow's random ops.*convert serving_default instead"):
        export.onnx(model, str(tmp_path / "generate.onnx"), signature="generate")
    with pytest.raises(ValueError, match="has no signature 'b_to_a': use one of serving_default, generate"):
        export.onnx(model, str(tmp_path / "other.onnx"), signature="b_to_a")
    assert sorted(os.listdir(tmp_path)) == ["dcgan.onnx"]  # nothing half-written
