"""Bad input gives one clear message: a ValueError in Python, one `kerasgan: error:` line and exit status 2 on the command line."""
import os
import re
import sys
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import cli, data, saving
from kerasgan.zoo import CGAN, DANN, DCGAN, WGAN, CycleGAN, Pix2Pix


@pytest.fixture
def kerasgan(monkeypatch, capsys, tmp_path):
    """Runs `kerasgan arguments` in this process (cli.run), in tmp_path; returns its exit status and stderr."""
    monkeypatch.chdir(tmp_path)  # what a run that got through would write stays there

    def run(*arguments):
        monkeypatch.setattr(sys, "argv", ["kerasgan", *map(str, arguments)])
        capsys.readouterr()
        try:
            with pytest.raises(SystemExit) as raised:
                cli.run()
        finally:
            cli.FLAGS.unparse_flags()
        return raised.value.code, capsys.readouterr().err

    return run


def assert_usage_error(result, message):
    """Exit status 2 and one stderr line, `kerasgan: error: ...` matching `message`, without a traceback."""
    status, stderr = result
    assert status == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kerasgan: error: "), stderr
    assert re.search(message, lines[0]), lines[0]


def save(path, mode="L", size=(8, 8), color=128):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)
    return path


def noise_image(path, shape=(16, 16, 3), seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)).save(path)
    return path


def truncate(path):
    contents = path.read_bytes()
    path.write_bytes(contents[: len(contents) // 2])
    return path


def collect(dataset):
    return np.concatenate([batch for batch in dataset.as_numpy_iterator()])


# 1. unknown model and dataset names


def test_an_unknown_dataset_lists_the_names_and_what_a_folder_must_be(kerasgan, tmp_path):
    message = r"unknown dataset 'nope': use one of digits, digits_m, .* or the path of an existing folder of images"
    with pytest.raises(ValueError, match=message):
        data.load("nope")
    assert_usage_error(kerasgan("train", "--dataset=nope", f"--output_dir={tmp_path / 'run'}"), message)


def test_an_unknown_model_lists_the_zoo(kerasgan, tmp_path):
    message = r"unknown model 'nope' \(--model\): use one of gan, dcgan, cgan, wgan, ebgan, pix2pix, cyclegan, dann"
    assert_usage_error(kerasgan("train", "--model=nope", f"--output_dir={tmp_path / 'run'}"), message)
    with pytest.raises(ValueError, match="unknown model 'nope': use one of gan, dcgan, cgan"):
        saving.load_model(tmp_path / "any.keras", model_class="nope")


# 2. missing and empty folders


def test_a_missing_folder_is_named(kerasgan, tmp_path):
    missing = tmp_path / "missing"
    message = r"no such folder: '.*missing' \(resolved to '.*'\): name an existing folder of images"
    with pytest.raises(ValueError, match=message):
        data.load(missing)
    assert_usage_error(kerasgan("train", f"--dataset={missing}", f"--output_dir={tmp_path / 'run'}"), message)


def test_an_empty_folder_is_named_with_the_extensions_expected(kerasgan, tmp_path):
    (tmp_path / "empty").mkdir()
    message = r"no images in folder '.*empty': expected files ending in \.bmp, \.gif, \.jpeg, \.jpg, \.png$"
    with pytest.raises(ValueError, match=message):
        data.load(tmp_path / "empty")
    assert_usage_error(kerasgan("train", f"--dataset={tmp_path / 'empty'}", f"--output_dir={tmp_path / 'run'}"), message)


# 3. non-image and corrupt files


@pytest.fixture
def damaged_folder(tmp_path):
    """Three good 8x8 images, a text file, random bytes named .jpg, a truncated PNG and a truncated JPEG."""
    folder = tmp_path / "damaged"
    for name in ("a.png", "b.png", "c.png"):
        save(folder / name)
    (folder / "notes.txt").write_text("not an image")
    (folder / "noise.jpg").write_bytes(np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8).tobytes())
    truncate(noise_image(folder / "truncated.png"))
    truncate(noise_image(folder / "truncated.jpg"))
    return folder


def test_corrupt_and_non_image_files_are_skipped_with_a_count(damaged_folder):
    message = r"'.*damaged': skipped 4 of 7 files, not readable images \(undecodable: 3, other extensions: 1\), e\.g\. 'noise\.jpg'"
    with pytest.warns(UserWarning, match=message):
        dataset = data.load(damaged_folder, batch_size=1, shuffle=False)
    images = collect(dataset)  # no decoding error while iterating: the bad files were left out when listing
    assert images.shape == (3, 8, 8, 1)
    np.testing.assert_allclose(images, 128 / 127.5 - 1, atol=1e-6)


def test_a_folder_of_only_unreadable_files_is_an_error_naming_it(kerasgan, damaged_folder, tmp_path):
    for name in ("a.png", "b.png", "c.png"):
        (damaged_folder / name).unlink()
    message = (
        r"no images in folder '.*damaged': expected files ending in .*; skipped 4 of 4 files, "
        r"not readable images \(undecodable: 3, other extensions: 1\), e\.g\. 'noise\.jpg': does not decode"
    )
    with pytest.raises(ValueError, match=message):
        data.load(damaged_folder)
    assert_usage_error(kerasgan("train", f"--dataset={damaged_folder}", f"--output_dir={tmp_path / 'run'}"), message)


# 4. mixed image modes


def test_mixed_modes_are_converted_to_the_majoritys_channels(tmp_path):
    colour = tmp_path / "colour"
    save(colour / "0_gray.png", "L", color=51)
    save(colour / "1_rgb.png", "RGB", color=(255, 0, 0))
    save(colour / "2_rgba.png", "RGBA", color=(0, 255, 0, 128))
    Image.new("RGB", (8, 8), (0, 0, 255)).convert("P").save(colour / "3_palette.png")
    images = collect(data.load(colour, batch_size=4, shuffle=False))
    assert images.shape == (4, 8, 8, 3)  # three colour images of four: RGB
    np.testing.assert_allclose(images[0], 51 / 127.5 - 1, atol=1e-6)
    for index, rgb in ((1, [1, -1, -1]), (2, [-1, 1, -1]), (3, [-1, -1, 1])):
        np.testing.assert_allclose(images[index], np.broadcast_to(rgb, (8, 8, 3)), atol=1e-6)
    grey = tmp_path / "grey"
    for index in range(3):
        save(grey / f"{index}.png", "L", color=0)
    save(grey / "3.png", "RGBA", color=(255, 255, 255, 0))
    images = collect(data.load(grey, batch_size=4, shuffle=False))
    assert images.shape == (4, 8, 8, 1)  # three grayscale images of four
    np.testing.assert_allclose(images[3], 1.0, atol=1e-6)


# 5. images smaller than the model's input


def test_folder_images_smaller_than_image_size_name_a_file_and_the_fix(kerasgan, tmp_path):
    for name in ("a.png", "b.png"):
        save(tmp_path / "small" / name, size=(8, 6))
    message = r"'.*a\.png' is 8x6 px, smaller than image_size=16 \(and 1 more\): pass image_size=6 or less \(--image_size"
    with pytest.raises(ValueError, match=message):
        data.load(tmp_path / "small", image_size=16, batch_size=1)
    assert_usage_error(
        kerasgan("train", f"--dataset={tmp_path / 'small'}", "--image_size=16", f"--output_dir={tmp_path / 'run'}"), message
    )
    save(tmp_path / "pairs" / "0.png", size=(16, 8))  # halves of 8x8
    with pytest.raises(ValueError, match=r"'.*0\.png' is 8x8 px, smaller than image_size=16: pass image_size=8 or less"):
        data.load(tmp_path / "pairs", paired=True, image_size=16, batch_size=1)


@pytest.fixture(scope="module")
def dcgan():
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=4, filters=4, seed=0)
    model.compile()
    return model


@pytest.mark.parametrize("as_dataset", [False, True])
def test_fit_names_both_shapes_before_tracing(dcgan, as_dataset):
    images = np.zeros((4, 8, 8, 1), "float32")
    source = r"the dataset yields batches of shape \(4, " if as_dataset else r"x has batches of shape \(None, "
    with pytest.raises(ValueError, match=source + r"8, 8, 1\) but DCGAN takes \(None, 16, 16, 1\)"):
        dcgan.fit(tf.data.Dataset.from_tensors(images) if as_dataset else images, verbose=0)
    assert dcgan.train_function is None  # nothing traced


# 6. dtype and range of images


@pytest.fixture
def received(monkeypatch):
    """What the zoo's fit hands on to keras.Model.fit, which records it instead of training."""
    calls = []
    monkeypatch.setattr(keras.Model, "fit", lambda self, x=None, y=None, **kwargs: calls.append((x, y)))
    return calls


UINT8 = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 1), dtype=np.uint8)


def test_uint8_images_are_scaled_to_the_model_range(dcgan, received):
    dcgan.fit(UINT8, verbose=0)
    dcgan.fit(tf.data.Dataset.from_tensors(UINT8), verbose=0)
    (arrays, _), (dataset, _) = received
    assert arrays.dtype == np.float32 and dataset.element_spec.dtype == tf.float32
    for images in (arrays, collect(dataset)):
        np.testing.assert_allclose(images, UINT8 / 127.5 - 1, atol=1e-6)


def test_uint8_images_train():
    model = DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=0)
    model.compile()
    history = model.fit(np.full((8, 8, 8, 1), 255, np.uint8), batch_size=8, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])


@pytest.mark.parametrize(
    "images,message",
    [
        (UINT8.astype("float32"), r"hold floats in \[0, 255\] but DCGAN takes images in \[-1, 1\]: scale them with x / 127\.5 - 1"),
        (
            np.linspace(-2, 2, UINT8.size).reshape(UINT8.shape),
            r"hold floats in \[-2, 2\] but DCGAN takes images in \[-1, 1\]: scale them with 2 \* \(x - x\.min\(\)\)",
        ),
        (np.full((4, 16, 16, 1), np.nan, "float32"), "hold NaN or infinite values: DCGAN takes images in"),
    ],
)
@pytest.mark.parametrize("as_dataset", [False, True])
def test_floats_outside_the_model_range_say_the_range_and_how_to_scale(dcgan, images, message, as_dataset):
    with pytest.raises(ValueError, match=("the dataset's images " if as_dataset else "^images ") + message):
        dcgan.fit(tf.data.Dataset.from_tensors(images) if as_dataset else images, verbose=0)
    assert dcgan.train_function is None


def test_translators_check_and_scale_both_parts_of_a_pair(received):
    pix2pix = Pix2Pix(input_shape=(16, 16, 1), output_channels=1, filters=4)
    with pytest.raises(ValueError, match=r"^targets hold floats in \[0, 255\] but Pix2Pix takes images in \[-1, 1\]"):
        pix2pix.fit(UINT8, UINT8.astype("float32"), verbose=0)
    pix2pix.fit(UINT8, UINT8, verbose=0)
    cyclegan = CycleGAN(image_shape=(16, 16, 1), filters=4, residual_blocks=1, pool_size=0)
    with pytest.raises(ValueError, match=r"the dataset's images_b hold floats in \[0, 255\] but CycleGAN takes"):
        cyclegan.fit(tf.data.Dataset.from_tensors((UINT8 / 127.5 - 1, UINT8.astype("float32"))), verbose=0)
    cyclegan.fit(tf.data.Dataset.from_tensors((UINT8, UINT8)), verbose=0)
    (inputs, targets), (pairs, _) = received
    for images in (inputs, targets, *next(pairs.as_numpy_iterator())):
        assert images.dtype == np.float32
        np.testing.assert_allclose(images, UINT8 / 127.5 - 1, atol=1e-6)


def test_dann_features_keep_their_range_and_cgan_labels_stay_integers(received):
    dann = DANN(input_shape=(2,), num_classes=2)
    features = np.linspace(-50, 50, 16, dtype="float32").reshape(8, 2)
    dann.fit(tf.data.Dataset.from_tensors(((features, features), np.arange(8, dtype="int32") % 2)), verbose=0)
    cgan = CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=4, filters=4)
    cgan.fit(tf.data.Dataset.from_tensors((UINT8, np.arange(4, dtype="int32") % 3)), verbose=0)
    ((source, _), _), (images, labels) = (next(dataset.as_numpy_iterator()) for dataset, _ in received)
    np.testing.assert_array_equal(source, features)
    assert images.dtype == np.float32 and images.min() >= -1 and labels.dtype == np.int32
    np.testing.assert_array_equal(labels, [0, 1, 2, 0])


# 7. labels out of range


def test_labels_out_of_range_are_clear_errors_for_arrays_and_datasets():
    cgan = CGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=4, filters=4)
    images = np.zeros((4, 16, 16, 1), "float32")
    with pytest.raises(ValueError, match=r"^labels must be in \[0, 3\), got \[-1, 3\]"):
        cgan.fit(images, np.array([0, 1, 3, -1]), verbose=0)
    with pytest.raises(ValueError, match=r"^the dataset's labels must be in \[0, 3\), got \[7\]"):
        cgan.fit(tf.data.Dataset.from_tensors((images, np.array([0, 1, 2, 7], "int32"))), verbose=0)
    with pytest.raises(ValueError, match=r"CGAN's labels must be integers in \[0, 3\), got float32"):
        cgan.fit(tf.data.Dataset.from_tensors((images, np.zeros(4, "float32"))), verbose=0)
    assert cgan.train_function is None
    dann = DANN(input_shape=(2,), num_classes=2)
    features = np.zeros((4, 2), "float32")
    with pytest.raises(ValueError, match=r"^the dataset's source labels must be in \[0, 2\), got \[2\]"):
        dann.fit(tf.data.Dataset.from_tensors(((features, features), np.array([0, 1, 2, 1], "int32"))), verbose=0)


# 8. a batch larger than the dataset


def test_a_batch_larger_than_the_dataset(kerasgan, tmp_path):
    for index in range(3):
        save(tmp_path / "three" / f"{index}.png")
    message = r"'.*three' has 3 examples, fewer than batch_size=4: pass a smaller batch_size"
    with pytest.raises(ValueError, match=message):
        data.load(tmp_path / "three", batch_size=4)
    assert_usage_error(
        kerasgan("train", f"--dataset={tmp_path / 'three'}", "--batch_size=4", f"--output_dir={tmp_path / 'run'}"), message
    )
    message = r"the larger domain has 100 examples, fewer than batch_size // 2 = 128: pass a smaller batch_size"
    with pytest.raises(ValueError, match=message):
        data.domain_adaptation("moons", "moons_rotated", batch_size=256)
    assert_usage_error(
        kerasgan("train", "--model=dann", "--dataset=moons", "--target_dataset=moons_rotated", "--batch_size=256",
                 f"--output_dir={tmp_path / 'run'}"),
        message,
    )


# 9. --output_dir names a file


def test_output_dir_that_is_a_file(kerasgan, tmp_path):
    (tmp_path / "taken").write_text("a file")
    assert_usage_error(
        kerasgan("train", f"--output_dir={tmp_path / 'taken'}"), r"--output_dir=.*taken is a file: name a folder"
    )


# 10. .keras files that are not the zoo model asked for


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """A DCGAN, a plain keras.Sequential, a truncated DCGAN and a zip of something else, saved to .keras files."""
    folder = tmp_path_factory.mktemp("models")
    model = DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=0)
    model.compile()
    model.save(folder / "dcgan.keras")
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(folder / "sequential.keras")
    contents = (folder / "dcgan.keras").read_bytes()
    (folder / "truncated.keras").write_bytes(contents[: len(contents) // 2])
    with zipfile.ZipFile(folder / "other.keras", "w") as archive:
        archive.writestr("notes.txt", "not a model")
    return folder


def test_load_model_returns_the_zoo_model(model_files):
    assert type(saving.load_model(model_files / "dcgan.keras")) is DCGAN
    assert type(saving.load_model(model_files / "dcgan.keras", model_class=DCGAN)) is DCGAN


@pytest.mark.parametrize(
    "name,model_class,message",
    [
        (
            "dcgan.keras", WGAN,
            r"dcgan\.keras holds a DCGAN, not a WGAN: ask for DCGAN \(model_class=DCGAN, --model=dcgan\) or leave the class out",
        ),
        ("dcgan.keras", "cgan", r"dcgan\.keras holds a DCGAN, not a CGAN"),
        ("sequential.keras", None, r"sequential\.keras holds a Sequential, not a kerasgan model \(GAN, DCGAN, "),
        ("truncated.keras", None, r"truncated\.keras is not a readable \.keras file \(File is not a zip file\)"),
        ("other.keras", None, r"other\.keras is not a readable \.keras file \(.*config\.json.*\)"),
    ],
)
def test_load_model_refuses_other_files(model_files, name, model_class, message):
    with pytest.raises(ValueError, match=message):
        saving.load_model(model_files / name, model_class)


def test_load_model_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model file: .*missing.keras"):
        saving.load_model(tmp_path / "missing.keras")


@pytest.mark.parametrize(
    "arguments,message",
    [
        (["sample", "--model_path=truncated.keras"], r"truncated\.keras is not a readable \.keras file"),
        (["export", "--model_path=sequential.keras"], r"sequential\.keras holds a Sequential, not a kerasgan model"),
        (["evaluate", "--model=wgan", "--model_path=dcgan.keras"], r"dcgan\.keras holds a DCGAN, not a WGAN: .*--model=dcgan"),
        (["sample", "--model=nope", "--model_path=dcgan.keras"], r"unknown model 'nope' \(--model\)"),
    ],
)
def test_commands_refuse_other_model_files(kerasgan, model_files, arguments, message):
    arguments = [argument.replace("--model_path=", f"--model_path={model_files}{os.sep}") for argument in arguments]
    assert_usage_error(kerasgan(*arguments), message)
