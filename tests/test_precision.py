"""precision="auto": the machine's native 16-bit type for the models measured to keep their quality in it."""
import json
import os
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import precision
from kerasgan.zoo import DCGAN, EBGAN, WGAN


@pytest.fixture
def machine(monkeypatch):
    """Sets what the machine has: CPU flags, GPUs with a compute capability, a TPU."""

    def have(cpu=(), gpu=None, tpu=False):
        monkeypatch.setattr(precision, "cpu_flags", lambda: set(cpu))
        devices = {"GPU": ["gpu"] if gpu else [], "TPU": ["tpu"] if tpu else []}
        monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: devices.get(kind, []))
        monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda device: {"compute_capability": gpu})

    return have


def model_class(measured):
    """A model class whose quality was (or was not) measured to hold in 16 bits."""
    return type("Model", (), {"mixed_precision_by_default": staticmethod(lambda arguments: measured)})


@pytest.mark.parametrize(
    "cpu, gpu, tpu, expected",
    [
        (("avx512f", "avx512_bf16"), None, False, "mixed_bfloat16"),
        (("amx_bf16",), None, False, "mixed_bfloat16"),
        (("avx2", "fma"), None, False, None),
        ((), (8, 0), False, "mixed_float16"),
        ((), (6, 1), False, None),  # a GPU without tensor cores
        ((), None, True, "mixed_bfloat16"),
    ],
)
def test_native_policy_follows_the_hardware(machine, cpu, gpu, tpu, expected):
    machine(cpu, gpu, tpu)
    assert precision.native_policy() == expected


def test_auto_is_16_bit_only_for_models_measured_to_keep_their_quality(machine, monkeypatch):
    machine(("avx512_bf16",))

    Measured, Unmeasured = model_class(measured=True), model_class(measured=False)
    assert precision.policy_name("auto", Measured) == "mixed_bfloat16"
    assert precision.policy_name("auto", Unmeasured) == "float32"
    machine(("avx2",))
    assert precision.policy_name("auto", Measured) == "float32"
    assert precision.policy_name("bfloat16", Unmeasured) == "mixed_bfloat16"
    assert precision.policy_name("float16") == "mixed_float16"


def test_auto_is_bfloat16_for_the_measured_settings_of_dcgan_and_wgan_gp_only(machine):
    machine(("avx512_bf16",))
    settings = {"image_shape": (16, 16, 1), "latent_dim": 8, "filters": 8}
    assert WGAN(**settings).precision == "bfloat16"
    assert WGAN((16, 16, 1), 8, "gp", filters=8).precision == "bfloat16"  # positional arguments too
    assert WGAN(**settings, penalty="clip").precision == "float32"
    assert WGAN(**settings, constraint="clip").precision == "float32"
    assert WGAN(**settings, penalty="clip", precision="bfloat16").precision == "bfloat16"
    assert DCGAN(**settings).precision == "bfloat16"
    assert DCGAN(**settings, loss="non_saturating").precision == "bfloat16"
    assert DCGAN(**settings, loss="least_squares").precision == "float32"
    assert DCGAN(**settings, spectral_norm=True).precision == "float32"
    assert EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8).precision == "float32"
    machine(("avx2",))
    assert WGAN(**settings).precision == "float32" and DCGAN(**settings).precision == "float32"


def test_auto_keeps_a_global_policy_the_user_set(machine, float32_after):
    machine(())
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8)
    assert model.precision == "bfloat16"
    assert DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, precision="float32").precision == "float32"


def test_an_unknown_precision_is_one_line_naming_the_choices():
    with pytest.raises(ValueError, match="precision must be one of auto, float32, bfloat16, float16, got 'half'"):
        DCGAN(image_shape=(16, 16, 1), precision="half")


def test_a_bfloat16_model_computes_in_16_bits_keeps_float32_weights_outputs_and_losses():
    model = WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=0, precision="bfloat16")
    assert keras.mixed_precision.global_policy().name == "float32"  # building left the global policy alone
    convolutions = [layer for layer in model.critic.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convolutions and all(layer.compute_dtype == "bfloat16" for layer in convolutions)
    assert all(variable.dtype == "float32" for variable in model.generator.weights + model.critic.weights)
    assert model.generator.outputs[0].dtype == "float32" and model.critic.outputs[0].dtype == "float32"
    model.compile(jit_compile=False)
    images = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    history = model.fit(images, batch_size=8, epochs=1, verbose=0)
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert model.generate(4, seed=0).dtype == np.float32


def test_the_precision_is_saved_and_restored_with_the_model(tmp_path):
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=0, precision="bfloat16")
    model.compile()
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    assert json.loads(zipfile.ZipFile(path).read("config.json"))["config"]["precision"] == "bfloat16"
    loaded = keras.models.load_model(path)
    assert loaded.precision == "bfloat16"
    assert loaded.generator.layers[1].compute_dtype == "bfloat16"
    np.testing.assert_array_equal(loaded.generate(2, seed=1), model.generate(2, seed=1))


def test_a_bfloat16_model_exports_to_tflite_from_a_float32_copy_of_its_weights(tmp_path):
    from kerasgan import export

    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=0, precision="bfloat16")
    copy = precision.float32_copy(model)
    assert copy.precision == "float32" and copy.generator.layers[1].compute_dtype == "float32"
    for ours, theirs in zip(model.get_weights(), copy.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(copy.generate(4, seed=0), model.generate(4, seed=0), atol=0.05)  # bfloat16 rounding
    path = export.tflite(model, str(tmp_path / "model.tflite"))
    assert export.tflite_parity(model, path)["max_abs_error"] < 1e-4
    assert precision.float32_copy(copy) is copy


def test_networks_given_to_a_model_keep_their_precision_and_the_model_says_so(machine):
    machine(("avx512_bf16",))
    given = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, precision="float32")
    model = DCGAN(generator=given.generator, discriminator=given.discriminator, precision="bfloat16")
    assert model.precision == "float32"
    assert precision.float32_copy(model) is model


def test_auto_is_sets_what_auto_means_inside_the_block(machine):
    machine(("avx512_bf16",))

    Measured = model_class(measured=True)
    with precision.auto_is("float32"):
        assert precision.policy_name("auto", Measured) == "float32"
        assert precision.policy_name("bfloat16", Measured) == "mixed_bfloat16"
    assert precision.policy_name("auto", Measured) == "mixed_bfloat16"
