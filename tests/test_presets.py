"""Presets (kerasgan.presets): writing and loading one, the shipped ones within their budget and scoring as
recorded, `from_preset` on a .keras file and a run folder, `kerasgan presets` and `--preset`, and bad input."""
import json
import os

import numpy as np
import pytest
from PIL import Image
from test_cli import kerasgan

from kerasgan import presets
from kerasgan.presets import files
from kerasgan.zoo import DCGAN, WGAN, ContextEncoder

BUDGET = 25e6  # bytes, every shipped preset together


def tiny(**kwargs):
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, ema_decay=0.9, seed=1, **kwargs)


def test_a_preset_loads_with_the_samples_and_the_record_it_was_written_with(tmp_path):
    model = tiny()
    model.averaged_generator.set_weights([w + 0.01 for w in model.averaged_generator.get_weights()])  # unlike G
    folder = model.save_to_preset(str(tmp_path / "mine"), scores={"fid": 12.5}, seed=3)
    assert sorted(os.listdir(folder)) == ["preset.json", "weights.npz"]
    loaded = DCGAN.from_preset(folder)
    assert type(loaded) is DCGAN and loaded.ema_decay == 0.9 and loaded.latent_dim == 8
    # float16 storage: the averaged generator's samples to float16's rounding, and G starts from the same weights
    np.testing.assert_allclose(loaded.generate(8, seed=2), model.generate(8, seed=2), atol=2e-2)
    for average, generator in zip(loaded.averaged_generator.get_weights(), loaded.generator.get_weights()):
        np.testing.assert_array_equal(average, generator)
    info = presets.info(folder)
    assert (info["model"], info["scores"], info["seed"], info["weights_dtype"]) == ("dcgan", {"fid": 12.5}, 3, "float16")
    exact = DCGAN.from_preset(model.save_to_preset(str(tmp_path / "exact"), weights_dtype="float32"))
    np.testing.assert_array_equal(exact.generate(8, seed=2), model.generate(8, seed=2))


def test_int8_storage_keeps_large_kernels_in_half_of_float16s_bytes(tmp_path):
    model = tiny(dense_units=512)  # its dense layer 512 -> 4 x 4 x 16 has 131,072 weights, over files.INT8_SIZE
    int8 = model.save_to_preset(str(tmp_path / "int8"), weights_dtype="int8")
    half = model.save_to_preset(str(tmp_path / "half"))
    with np.load(os.path.join(int8, "weights.npz")) as archive, np.load(os.path.join(half, "weights.npz")) as halves:
        quantized = [key for key in archive.files if archive[key].dtype == np.int8]
        assert quantized and all(f"scale_{key}" in archive.files for key in quantized)
        largest = max(quantized, key=lambda key: archive[key].size)
        assert archive[largest].size >= files.INT8_SIZE
        assert archive[f"scale_{largest}"].shape == archive[largest].shape[-1:]  # one scale per output channel
        int8_bytes = sum(archive[key].nbytes + archive[f"scale_{key}"].nbytes for key in quantized)
        assert int8_bytes < 0.55 * sum(halves[key].nbytes for key in quantized)
        assert all(archive[key].dtype == np.float16 for key in halves.files if key not in quantized)
    loaded = DCGAN.from_preset(int8)
    assert presets.info(int8)["weights_dtype"] == "int8"
    np.testing.assert_allclose(loaded.generate(8, seed=2), model.generate(8, seed=2), atol=0.1)


def test_a_preset_folder_is_never_overwritten(tmp_path):
    folder = tiny().save_to_preset(str(tmp_path / "mine"))
    before = {name: os.path.getmtime(os.path.join(folder, name)) for name in os.listdir(folder)}
    with pytest.raises(FileExistsError, match="never overwrites"):
        tiny().save_to_preset(folder)
    assert {name: os.path.getmtime(os.path.join(folder, name)) for name in os.listdir(folder)} == before
    assert os.listdir(tmp_path) == ["mine"]  # no partial folder left behind


def test_from_preset_takes_a_keras_file_and_a_run_folder(tmp_path):
    model = tiny()
    model.save(str(tmp_path / "model.keras"))
    for preset in (tmp_path / "model.keras", tmp_path):
        np.testing.assert_array_equal(DCGAN.from_preset(preset).generate(4, seed=0), model.generate(4, seed=0))


def test_bad_presets_are_refused_in_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"unknown preset 'dcgan_cifar': the presets are .*context_encoder_fashion_mnist"):
        DCGAN.from_preset("dcgan_cifar")
    folder = tiny().save_to_preset(str(tmp_path / "mine"))
    with pytest.raises(ValueError, match=r"holds a DCGAN, not a WGAN: load it with DCGAN.from_preset"):
        WGAN.from_preset(folder)
    weights = os.path.join(folder, "weights.npz")
    with open(weights, "r+b") as handle:
        handle.truncate(os.path.getsize(weights) // 2)
    with pytest.raises(ValueError, match=r"the preset .*mine is damaged \(weights.npz: .*reinstall kerasgan"):
        DCGAN.from_preset(folder)
    with open(os.path.join(folder, "preset.json"), "w") as handle:
        handle.write('{"format": 1, "model": "dcgan"')
    with pytest.raises(ValueError, match=r"the preset .*mine is damaged"):
        DCGAN.from_preset(folder)
    other = ContextEncoder(image_shape=(16, 16, 1), filters=4, seed=0).save_to_preset(str(tmp_path / "other"))
    metadata = json.loads(open(os.path.join(other, "preset.json")).read())
    metadata["config"] = json.loads(open(os.path.join(tiny().save_to_preset(str(tmp_path / "b")), "preset.json")).read())["config"]
    with open(os.path.join(other, "preset.json"), "w") as handle:
        json.dump({**metadata, "model": "dcgan"}, handle)
    with pytest.raises(ValueError, match=r"damaged \(its weights do not fit the DCGAN its config builds\)"):
        DCGAN.from_preset(other)
    os.makedirs(tmp_path / "empty")
    with pytest.raises(ValueError, match=r"neither a preset folder \(with preset.json\) nor a finished run folder"):
        DCGAN.from_preset(tmp_path / "empty")


def test_the_shipped_presets_fit_the_budget_and_record_how_they_were_made():
    names = presets.names()
    assert {"cgan_mnist", "context_encoder_fashion_mnist", "cyclegan_mnist_m", "dann_mnist_m", "dcgan_mnist"} <= set(names)
    assert sum(presets.size(name) for name in names) <= BUDGET
    for name in names:
        info = presets.info(name)
        assert info["weights_dtype"] in ("float16", "int8") and info["recipe"].startswith("kerasgan train --flagfile=zoo/")
        assert info["description"] and info["protocol"] and info["scores"] and isinstance(info["seed"], int)
        check = info["check"]
        assert check["metric"] in info["scores"] and check["num_images"] >= 1000
        # the storage (float16, int8) moves the check score by less than 1 % of the float32 run's
        assert abs(check["value"] - check["float32_value"]) <= 0.01 * abs(check["float32_value"])


@pytest.mark.slow
@pytest.mark.parametrize("name", presets.names())
def test_each_shipped_preset_scores_as_recorded(name):
    info = presets.info(name)
    score = presets.check_score(presets.load(name), info)
    assert score == pytest.approx(info["check"]["value"], rel=0.10)


def test_the_command_line_lists_the_presets_and_samples_from_one(tmp_path):
    listed = kerasgan("presets")
    assert listed.returncode == 0, listed.stderr[-2000:]
    for name in presets.names():
        assert f"{name} ({presets.info(name)['model']}, " in listed.stdout
    assert "use: kerasgan sample --preset=dcgan_mnist, or DCGAN.from_preset('dcgan_mnist')" in listed.stdout
    assert "use: kerasgan evaluate --preset=dann_mnist_m --dataset=mnist_m, or DANN.from_preset('dann_mnist_m')" in listed.stdout
    grid = tmp_path / "grid.png"
    result = kerasgan("sample", "--preset=dcgan_mnist", "--num_images=64", f"--output={grid}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "--dataset=mnist (from " in result.stderr  # the data it was trained on, from the preset
    assert Image.open(grid).size[0] >= 8 * 28 * 2  # 8 columns of 28x28 samples drawn at twice their size
    unknown = kerasgan("sample", "--preset=dcgan_cifar", f"--output={tmp_path / 'x.png'}")
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "unknown preset 'dcgan_cifar': the presets are " in unknown.stderr
    both = kerasgan("sample", "--preset=context_encoder_fashion_mnist", f"--model_path={tmp_path}")
    assert both.returncode == 2 and "--model_path and --preset both name a model" in both.stderr
    exported = kerasgan("export", "--preset=context_encoder_fashion_mnist", "--format=onnx", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert f"ONNX: {tmp_path / 'context_encoder_fashion_mnist.onnx'}" in exported.stdout and "max abs error" in exported.stdout


def test_the_readmes_three_lines_draw_from_the_dcgan_preset():
    readme = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")).read()
    section = readme.split("## Use a trained model in three lines", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) == 3
    namespace = {}
    exec(code, namespace)
    assert namespace["images"].shape == (64, 28, 28, 1) and -1 <= namespace["images"].min() < namespace["images"].max() <= 1
