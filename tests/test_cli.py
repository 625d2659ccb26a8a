"""The `kerasgan` console script end to end, on tiny settings (one subprocess per command)."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import registry
from kerasgan.zoo import Pix2Pix

KERASGAN = os.path.join(os.path.dirname(sys.executable), "kerasgan")
TINY = ["--dataset=digits", "--split=all", "--image_size=16", "--filters=8", "--latent_dim=8", "--batch_size=64"]


def kerasgan(*arguments, cwd=None, timeout=300):
    command = [KERASGAN] if os.path.exists(KERASGAN) else [sys.executable, "-m", "kerasgan.cli"]
    return subprocess.run(
        command + list(arguments), capture_output=True, text=True, timeout=timeout, cwd=cwd,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny `kerasgan train` run shared by the tests of this module."""
    root = tmp_path_factory.mktemp("cli")
    run = root / "run"
    result = kerasgan("train", "--model=dcgan", *TINY, "--epochs=2", f"--output_dir={run}",
                      f"--export_dir={root / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    return root, run, result


def test_train_writes_the_run_folder_and_a_serving_version(trained):
    root, run, result = trained
    # The default cadence: a grid about every 200 steps and after the last epoch (TINY: a few steps an epoch).
    assert sorted(os.listdir(run / "samples")) == ["epoch_0002.png"]
    grid = Image.open(run / "samples.png")
    assert grid.mode == "L" and grid.width > 16 * 8
    assert Image.open(run / "loss_curve.png").size[0] > 100
    history = json.loads((run / "history.json").read_text())
    assert set(history) == {"d_loss", "g_loss", "diversity"} and len(history["g_loss"]) == 2 and len(history["diversity"]) == 1
    assert len(os.listdir(run / "checkpoints")) == 1  # a finished run keeps its last checkpoint only
    assert "--model=dcgan" in (run / "run.flags").read_text().splitlines()
    assert "run folder:" in result.stdout and "diversity:" in result.stdout
    assert (run / "model.keras").stat().st_size > 0
    assert any(name.startswith("events") for name in os.listdir(run / "logs" / "train"))
    assert os.listdir(root / "saved_models" / "dcgan") == ["1"]
    assert "SavedModel:" in result.stdout


def test_train_refuses_to_overwrite_a_trained_model(trained):
    _, run, _ = trained
    result = kerasgan("train", *TINY, "--epochs=1", f"--output_dir={run}")
    assert result.returncode == 2
    assert "exists: this run has finished; choose a new --output_dir" in result.stderr and "Traceback" not in result.stderr


def test_sample_draws_a_grid_from_the_saved_model(trained, tmp_path):
    _, run, _ = trained
    output = tmp_path / "grid.png"
    result = kerasgan("sample", f"--model_path={run / 'model.keras'}", "--num_images=9", f"--output={output}")
    assert result.returncode == 0, result.stderr[-3000:]
    pixels = np.asarray(Image.open(output))
    # 3 x 3 tiles of 16 pixels with 2-pixel padding, drawn at scale 2
    assert pixels.shape == (2 * (3 * 18 + 2), 2 * (3 * 18 + 2))


@pytest.mark.parametrize(
    "arguments,message",
    [
        (["train", "--dataset=nope", "--output_dir=OUT"], "unknown dataset 'nope'"),
        (["train", "--model=nope", *TINY, "--output_dir=OUT"], "unknown model 'nope'"),
        (["train", "--model=gan", "--dataset=digits", "--output_dir=OUT"], "gan trains on vectors"),
        (["train", "--model=gan", *TINY, "--output_dir=OUT"], "--filters does not apply to --model=gan"),
        (["train", "--dataset=digits"], "train needs --output_dir"),
        (["sample", "--model_path=missing.keras"], "no such model file: missing.keras"),
        (["fly"], "usage: kerasgan {train|sample|export|evaluate|presets}"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(arguments, message, tmp_path):
    arguments = [a.replace("OUT", str(tmp_path / "out")) for a in arguments]
    result = kerasgan(*arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-3000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_train_the_mlp_gan_on_a_gaussian_mixture(tmp_path):
    result = kerasgan("train", "--model=gan", "--dataset=ring8", "--num_samples=512", "--batch_size=128",
                      "--units=16", "--depth=1", "--epochs=1", f"--output_dir={tmp_path / 'run'}",
                      f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert Image.open(tmp_path / "run" / "samples.png").size == (400, 400)
    assert os.listdir(tmp_path / "saved_models" / "gan") == ["1"]


def test_a_run_folder_is_a_model_path_and_an_unfinished_one_says_so(trained, tmp_path):
    _, run, _ = trained
    result = kerasgan("sample", f"--model_path={run}", "--num_images=4", f"--output={tmp_path / 'grid.png'}")
    assert result.returncode == 0 and (tmp_path / "grid.png").is_file(), result.stderr[-3000:]
    unfinished = tmp_path / "unfinished"
    (unfinished / "checkpoints").mkdir(parents=True)
    result = kerasgan("sample", f"--model_path={unfinished}")
    assert result.returncode == 2
    assert f"--model_path={unfinished} is a folder without model.keras: its run has not finished" in result.stderr


def test_evaluate_prints_real_datas_scores_beside_the_models(trained, tmp_path):
    _, run, _ = trained
    result = kerasgan("evaluate", f"--model_path={run}", "--num_images=64", "--feature_extractor=digits",
                      f"--output={tmp_path / 'scores.json'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "--dataset=digits" in result.stderr and "trained on split=all" in result.stderr  # from run.flags
    assert result.stdout.splitlines()[1].split() == ["model", "real", "data"]
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["real_data"]["frechet_distance"] < scores["frechet_distance"]


def test_an_export_of_other_shapes_under_the_same_model_folder_is_refused_before_training(trained, tmp_path):
    root, _, _ = trained
    other = [argument.replace("--image_size=16", "--image_size=8") for argument in TINY]
    result = kerasgan("train", "--model=dcgan", *other, "--epochs=1", f"--output_dir={tmp_path / 'run'}",
                      f"--export_dir={root / 'saved_models'}")
    assert result.returncode == 2 and "TF Serving would serve whichever version is newest" in result.stderr
    assert "Pass another --export_dir" in result.stderr and not (tmp_path / "run").exists()


def test_export_writes_a_saved_model_version_and_tflite_files(trained, tmp_path):
    root, run, _ = trained
    result = kerasgan("export", f"--model_path={run / 'model.keras'}", f"--export_dir={root / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(root / "saved_models" / "dcgan")) == ["1", "2"]
    output = tmp_path / "dcgan_int8.tflite"
    result = kerasgan("export", f"--model_path={run / 'model.keras'}", "--format=tflite", "--quantize=int8",
                      f"--output={output}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert output.stat().st_size > 0 and "max abs error" in result.stdout
    again = kerasgan("export", f"--model_path={run / 'model.keras'}", "--format=tflite", "--quantize=int8",
                     f"--output={output}")
    assert again.returncode == 2 and "never overwrite" in again.stderr and "Traceback" not in again.stderr


def test_export_writes_an_onnx_file_that_onnxruntime_runs_at_parity(trained):
    from kerasgan.export import run_onnx

    root, run, _ = trained
    result = kerasgan("export", f"--model_path={run}", "--format=onnx")
    assert result.returncode == 0, result.stderr[-3000:]
    path = run / "model.onnx"  # beside model.keras by default
    match = re.search(r"max abs error ([0-9.e+-]+)", result.stdout)
    assert path.stat().st_size > 0 and match and float(match.group(1)) <= 1e-4, result.stdout
    z = np.random.default_rng(0).normal(size=(7, 8)).astype("float32")  # TINY's latent_dim; any batch
    assert run_onnx(str(path), {"z": z})["images"].shape == (7, 16, 16, 1)
    again = kerasgan("export", f"--model_path={run}", "--format=onnx")
    assert again.returncode == 2 and "never overwrite" in again.stderr and "Traceback" not in again.stderr
    other = kerasgan("export", f"--model_path={run}", "--format=onnx", "--signature=generate", f"--output={root / 'g.onnx'}")
    assert other.returncode == 2 and "convert serving_default instead" in other.stderr and "Traceback" not in other.stderr


RECIPES = sorted(name for name in os.listdir(os.path.join(os.path.dirname(__file__), "..", "zoo")) if name.endswith(".flags"))


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_recipe_parses_and_builds_its_model(recipe):
    from kerasgan import cli

    path = os.path.join(os.path.dirname(__file__), "..", "zoo", recipe)
    try:
        cli.parse_flags(["kerasgan", f"--flagfile={path}"])
        _, _, model = cli.model_and_data()
        assert type(model) is registry.get(cli.FLAGS.model)
    finally:
        cli.FLAGS.unparse_flags()


@pytest.mark.parametrize("model", ["cgan", "wgan", "ebgan", "sngan_projection"])
def test_train_each_image_model_for_one_epoch(model, tmp_path):
    result = kerasgan("train", f"--model={model}", *TINY, "--epochs=1", "--discriminator_steps=2",
                      f"--output_dir={tmp_path / 'run'}", f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert os.listdir(tmp_path / "saved_models" / model) == ["1"]
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert all(np.isfinite(values[0]) for values in history.values())


def test_steps_per_epoch_sets_the_training_budget(tmp_path):
    import keras

    from kerasgan import zoo  # noqa: F401  (registers the zoo classes for load_model)

    run = tmp_path / "run"
    result = kerasgan("train", "--model=dcgan", *TINY, "--epochs=2", "--steps_per_epoch=3", f"--output_dir={run}",
                      f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    model = keras.models.load_model(run / "model.keras")
    assert int(model.generator_optimizer.iterations) == 6  # 2 x 3, not 2 passes over the 28 batches of digits
    history = json.loads((run / "history.json").read_text())
    assert len(history["d_loss"]) == len(history["g_loss"]) == 2
    refused = kerasgan("train", "--model=dcgan", *TINY, "--steps_per_epoch=0", f"--output_dir={tmp_path / 'other'}")
    assert refused.returncode != 0 and "steps_per_epoch" in refused.stderr and "Traceback" not in refused.stderr


IMAGES_16 = tf.TensorSpec((None, 16, 16, 1), tf.float32)


def test_wgan_from_the_command_line_keeps_the_papers_critic_steps():
    from kerasgan import cli

    try:
        cli.parse_flags(["kerasgan", "--model=wgan", "--latent_dim=4", "--filters=4"])
        model = cli.build_model(IMAGES_16)
        assert model.critic_steps == 5 and model.gp_weight == 10.0
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=wgan", "--discriminator_steps=2", "--penalty_weight=1", "--filters=4"])
        model = cli.build_model(IMAGES_16)
        assert model.critic_steps == 2 and model.gp_weight == 1.0
    finally:
        cli.FLAGS.unparse_flags()


TRANSLATION = ["--dataset=digits2digits_m", "--image_size=16", "--filters=4", "--batch_size=16", "--num_samples=64"]


@pytest.mark.parametrize("model,columns", [("pix2pix", 3), ("cyclegan", 3)])
def test_train_sample_and_export_a_translator(model, columns, tmp_path):
    run = tmp_path / "run"
    result = kerasgan("train", f"--model={model}", *TRANSLATION, "--epochs=2", f"--output_dir={run}",
                      f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert os.listdir(tmp_path / "saved_models" / model) == ["1"]
    rows = 8 if model == "pix2pix" else 16  # CycleGAN shows a -> b -> a and b -> a -> b rows
    tile = 2 * 16 + 2 * 2  # 16-pixel images at scale 2 with 2-pixel padding
    assert Image.open(run / "samples.png").size == (columns * tile + 4, rows * tile + 4)
    output = tmp_path / "grid.png"
    result = kerasgan("sample", f"--model_path={run / 'model.keras'}", *TRANSLATION, "--split=test",
                      "--num_images=2", f"--output={output}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert Image.open(output).size[0] == columns * tile + 4
    # The run folder as --model_path: the data flags come from its run.flags.
    result = kerasgan("sample", f"--model_path={run}", "--num_images=2", f"--output={tmp_path / 'again.png'}")
    assert result.returncode == 0 and "--dataset=digits2digits_m --image_size=16" in result.stderr, result.stderr[-3000:]
    alone = tmp_path / "alone.keras"  # outside its run folder, nothing says which data to translate
    alone.write_bytes((run / "model.keras").read_bytes())
    result = kerasgan("sample", f"--model_path={alone}")
    assert result.returncode == 2 and "translates examples of a dataset: pass --dataset" in result.stderr
    # Each signature's TFLite file gets its own default name (model.tflite, model_b_to_a.tflite).
    signatures = ("serving_default", "b_to_a") if model == "cyclegan" else ("serving_default",)
    for signature in signatures:
        result = kerasgan("export", f"--model_path={run}", "--format=tflite", f"--signature={signature}")
        assert result.returncode == 0, result.stderr[-3000:]
        assert "max abs error" in result.stdout
    names = {"serving_default": "model.tflite", "b_to_a": "model_b_to_a.tflite"}
    assert sorted(name for name in os.listdir(run) if name.endswith(".tflite")) == sorted(names[s] for s in signatures)


def test_cyclegan_generator_flags_reach_the_model():
    from kerasgan import cli

    images = tf.TensorSpec((None, 16, 16, 3), tf.float32)
    try:
        cli.parse_flags(["kerasgan", "--model=cyclegan", "--filters=2", "--residual_blocks=1", "--generator_downsamplings=0"])
        model = cli.build_model((images, images))
        assert model.residual_blocks == 1 and model.generator_downsamplings == 0
        strided = [layer for layer in model.generator_ba.layers if getattr(layer, "strides", None) == (2, 2)]
        assert not strided
    finally:
        cli.FLAGS.unparse_flags()


def test_dann_validates_in_batches_of_the_target_half_so_a_whole_set_batch_fits():
    from kerasgan import cli

    try:
        cli.parse_flags(["kerasgan", "--model=dann", "--dataset=moons", "--target_dataset=moons_rotated", "--batch_size=200"])
        (x, y), = registry.get("dann").validation_data(cli.FLAGS).take(1).as_numpy_iterator()
        assert x.shape == (100, 2) and y.shape == (100,)  # all 100 test points of moons_rotated
    finally:
        cli.FLAGS.unparse_flags()


def test_random_invert_and_dropout_flags_reach_dann_and_pix2pix():
    from kerasgan import cli

    images = tf.TensorSpec((None, 16, 16, 3), tf.float32)
    labels = tf.TensorSpec((None,), tf.int32)
    try:
        cli.parse_flags(["kerasgan", "--model=dann", "--dataset=digits", "--random_invert=0.5", "--dropout=0.25"])
        model = cli.build_model(((images, images), labels))
        assert (model.random_invert, model.dropout) == (0.5, 0.25)
        assert model.feature_extractor.get_layer("random_invert").factor == (0.5, 0.5)
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=pix2pix", "--filters=2", "--dropout=0.25"])
        assert cli.build_model((images, images)).dropout == 0.25
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=pix2pix", "--filters=2"])
        assert cli.build_model((images, images)).dropout == 0.5  # the paper's, when --dropout is not given
    finally:
        cli.FLAGS.unparse_flags()


def test_a_translator_refuses_a_single_domain_dataset(tmp_path):
    result = kerasgan("train", "--model=cyclegan", "--dataset=digits", "--image_size=16", "--filters=4",
                      f"--output_dir={tmp_path / 'run'}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cyclegan trains on pairs of image batches; digits yields shapes [(16, 16, 1)]" in result.stderr


def test_train_dann_on_the_moons_writes_its_decision_boundary_and_exports(tmp_path):
    run = tmp_path / "run"
    result = kerasgan("train", "--model=dann", "--dataset=moons", "--target_dataset=moons_rotated", "--batch_size=64",
                      "--epochs=3", "--reversal_strength=3", f"--output_dir={run}", f"--export_dir={tmp_path / 'sm'}")
    assert result.returncode == 0, result.stderr[-3000:]
    history = json.loads((run / "history.json").read_text())
    assert {"class_accuracy", "domain_accuracy", "val_class_accuracy"} <= set(history)
    assert Image.open(run / "decision_boundary.png").size == (400, 400)
    assert os.listdir(tmp_path / "sm" / "dann") == ["1"]
    result = kerasgan("export", f"--model_path={run / 'model.keras'}", "--format=tflite", f"--output={tmp_path / 'dann.tflite'}")
    assert result.returncode == 0 and "max abs error" in result.stdout, result.stderr[-3000:]
    result = kerasgan("sample", f"--model_path={run / 'model.keras'}")
    assert result.returncode == 2 and "DANN classifies rather than samples" in result.stderr


def test_dann_needs_a_target_dataset(tmp_path):
    result = kerasgan("train", "--model=dann", "--dataset=moons", f"--output_dir={tmp_path / 'run'}")
    assert result.returncode == 2 and "dann needs --target_dataset" in result.stderr


def test_mixture_flags_reach_the_mlp_gan():
    from kerasgan import cli

    try:
        cli.parse_flags(["kerasgan", "--model=gan", "--units=4", "--depth=1", "--discriminator_steps=5",
                   "--split_real_batch", "--data_scale=2.828"])
        model = cli.build_model(tf.TensorSpec((None, 2), tf.float32))
        assert model.split_real_batch and model.data_scale == 2.828 and model.discriminator_steps == 5
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=ebgan", "--filters=4", "--split_real_batch"])
        assert cli.build_model(tf.TensorSpec((None, 16, 16, 1), tf.float32)).split_real_batch
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=dann", "--dataset=moons", "--split_real_batch"])
        vectors = tf.TensorSpec((None, 2), tf.float32)
        with pytest.raises(ValueError, match="--split_real_batch does not apply to --model=dann: its flags are --num_classes"):
            cli.build_model(((vectors, vectors), tf.TensorSpec((None,), tf.int32)))
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=cyclegan", "--filters=2", "--residual_blocks=1", "--split_real_batch"])
        images = tf.TensorSpec((None, 16, 16, 3), tf.float32)
        with pytest.raises(ValueError, match="--split_real_batch does not apply to --model=cyclegan"):
            cli.build_model((images, images))
    finally:
        cli.FLAGS.unparse_flags()


def test_pix2pix_decays_its_learning_rate_only_when_asked():
    from kerasgan import callbacks, cli

    try:
        model = Pix2Pix(input_shape=(8, 8, 1), filters=2)
        cli.parse_flags(["kerasgan", "--model=pix2pix", "--epochs=30"])
        assert model.training_callbacks(cli.FLAGS) == []
        cli.FLAGS.unparse_flags()
        cli.parse_flags(["kerasgan", "--model=pix2pix", "--epochs=30", "--decay_epochs=15"])
        (decay,) = model.training_callbacks(cli.FLAGS)
        assert isinstance(decay, callbacks.LinearDecay) and (decay.epochs, decay.decay_epochs) == (30, 15)
    finally:
        cli.FLAGS.unparse_flags()
