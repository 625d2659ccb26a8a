"""The image-to-image networks: pix2pix's U-Net and PatchGAN, CycleGAN's ResNet generator."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import export
from kerasgan.networks import build_patchgan, build_resnet_generator, build_unet, receptive_field
from kerasgan.networks.patchgan import default_layers
from kerasgan.networks.unet import default_depth


def images(shape, count=2, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count,) + tuple(shape)).astype("float32")


def count_layers(network, kind):
    return sum(isinstance(layer, kind) for layer in network.layers)


def test_unet_shapes_and_parameters():
    network = build_unet((32, 32, 3), output_channels=2, filters=8)
    assert network.output.shape == (None, 32, 32, 2)
    # encoder C8-C16-C32-C64-C64 (5 halvings to 1x1): 392 + 2112 + 8320 + 33024 + 65600 (the innermost
    # with a bias, no BN); decoder 64-32-16-8 with BN, then 2 outputs: 65792 + 65664 + 16448 + 4128 + 514
    assert network.count_params() == 261994
    assert count_layers(network, keras.layers.BatchNormalization) == 3 + 4
    assert count_layers(network, keras.layers.Dropout) == 3
    x = images((32, 32, 3))
    np.testing.assert_array_equal(network(x, training=False), network(x, training=False))
    assert not np.allclose(network(x, training=True), network(x, training=True))  # dropout, as at the paper's test time
    assert np.abs(np.asarray(network(x))).max() <= 1


def test_unet_depth():
    assert [default_depth(*sides) for sides in [(256, 256), (32, 32), (48, 32), (30, 32)]] == [8, 5, 4, 1]
    shallow = build_unet((32, 48, 1), output_channels=1, filters=4, depth=2, dropout=0)
    assert shallow.output.shape == (None, 32, 48, 1) and count_layers(shallow, keras.layers.Dropout) == 0
    assert count_layers(build_unet((512, 512, 1), 1, filters=1), keras.layers.Conv2D) == 8  # at most 8 halvings
    with pytest.raises(ValueError, match=r"depth 4 cannot take input_shape \(24, 32, 3\).*2\*\*4 = 16.*depth <= 3"):
        build_unet((24, 32, 3), 3, depth=4)
    with pytest.raises(ValueError, match=r"\(33, 32, 3\).*make both sides even"):
        build_unet((33, 32, 3), 3)
    with pytest.raises(ValueError, match="depth must be an integer >= 1"):
        build_unet((32, 32, 3), 3, depth=0)


def test_resnet_generator_shapes_and_parameters():
    network = build_resnet_generator((32, 32, 3), filters=4, residual_blocks=2)
    assert network.output.shape == (None, 32, 32, 3)
    # c7s1-4 588, d8 288, d16 1152, R16 x 2: 2 x 4608, u8 1152, u4 288, c7s1-3 591 (no bias before instance norm)
    assert network.count_params() == 13275
    assert build_resnet_generator((16, 16, 1), output_channels=3, filters=4).output.shape == (None, 16, 16, 3)
    assert count_layers(build_resnet_generator((32, 32, 3), filters=2), keras.layers.Add) == 6
    assert count_layers(build_resnet_generator((256, 256, 3), filters=2), keras.layers.Add) == 9
    for shape in [(30, 32, 3), (4, 4, 3)]:
        with pytest.raises(ValueError, match=r"cannot take image_shape .*multiples of 4 and at least 8"):
            build_resnet_generator(shape)


@pytest.mark.parametrize("downsamplings,strided", [(0, 0), (1, 1), (3, 3)])
def test_resnet_generator_downsamplings(downsamplings, strided):
    network = build_resnet_generator((16, 16, 3), filters=2, residual_blocks=1, downsamplings=downsamplings)
    assert network.output.shape == (None, 16, 16, 3)
    convolutions = [layer for layer in network.layers if isinstance(layer, keras.layers.Conv2D)]
    assert sum(layer.strides == (2, 2) for layer in convolutions) == strided
    assert count_layers(network, keras.layers.Conv2DTranspose) == strided
    # the residual block works at filters * 2**downsamplings channels, on a map halved that many times
    block_input = next(layer for layer in network.layers if isinstance(layer, keras.layers.Add)).input[0]
    assert tuple(block_input.shape[1:]) == (16 // 2**downsamplings, 16 // 2**downsamplings, 2 * 2**downsamplings)


def test_resnet_generator_refuses_too_many_downsamplings():
    with pytest.raises(ValueError, match=r"\(16, 16, 3\).*multiples of 16 and at least 32 \(4 stride-2 blocks.*fewer downsamplings"):
        build_resnet_generator((16, 16, 3), downsamplings=4)
    with pytest.raises(ValueError, match="downsamplings must be an integer >= 0"):
        build_resnet_generator((16, 16, 3), downsamplings=-1)


def test_patchgan_shapes_and_parameters():
    network = build_patchgan((32, 32, 3), filters=8, layers=3)
    assert network.output.shape == (None, 2, 2, 1)
    # C8 392, C16 2048 + BN 64, C32 8192 + BN 128, C64 s1 32768 + BN 256, C1 1025
    assert network.count_params() == 44873
    conditional = build_patchgan((32, 32, 3), condition_shape=(32, 32, 1), filters=8, normalization="instance")
    assert [tuple(t.shape) for t in conditional.inputs] == [(None, 32, 32, 3), (None, 32, 32, 1)]
    assert conditional.output.shape == (None, 14, 14, 1)  # default: 1 stride-2 block at 32 pixels
    assert conditional.count_params() == 8 * 4 * 4 * 4 + 8 + 16 * 4 * 4 * 8 + 16 * 4 * 4 + 1
    assert count_layers(conditional, keras.layers.GroupNormalization) == 1
    assert count_layers(build_patchgan((16, 16, 1), normalization=None), keras.layers.BatchNormalization) == 0


def test_patchgan_default_layers_and_receptive_field():
    assert [default_layers(side, side) for side in (256, 128, 64, 32, 16)] == [3, 3, 2, 1, 1]
    assert [receptive_field(layers) for layers in (1, 2, 3)] == [16, 34, 70]
    with pytest.raises(ValueError, match="layers must be an integer >= 1"):
        receptive_field(0)


@pytest.mark.parametrize("layers,side", [(1, 32), (2, 64)])
def test_patchgan_logits_see_receptive_field_pixels(layers, side):
    """The gradient of a middle logit is nonzero exactly on a receptive_field(layers)-pixel square."""
    network = build_patchgan((side, side, 1), filters=2, layers=layers, normalization=None)
    x = tf.constant(images((side, side, 1), count=1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = network(x)
        middle = logits.shape[1] // 2
        logit = logits[0, middle, middle, 0]
    seen = np.argwhere(np.abs(tape.gradient(logit, x).numpy()[0, :, :, 0]) > 0)
    assert tuple(seen.max(axis=0) - seen.min(axis=0) + 1) == (receptive_field(layers),) * 2


def test_patchgan_rejects_bad_settings():
    with pytest.raises(ValueError, match=r"condition_shape \(16, 32, 3\) must have the height and width"):
        build_patchgan((32, 32, 3), condition_shape=(16, 32, 3))
    with pytest.raises(ValueError, match=r"3 stride-2 blocks: its logit map would be \(0, 0\)"):
        build_patchgan((16, 16, 3), layers=3)
    with pytest.raises(ValueError, match="normalization must be one of"):
        build_patchgan((32, 32, 3), normalization="layer")


def tflite_error(network, tmp_path):
    """Max |TFLite - Keras| of `network` (training=False) converted with builtin ops only."""
    specs = [tf.TensorSpec((None,) + tuple(t.shape[1:]), tf.float32, name=t.name) for t in network.inputs]
    archive = keras.export.ExportArchive()
    archive.track(network)
    archive.add_endpoint(
        "serving_default",
        lambda *inputs: {"outputs": network(list(inputs) if len(inputs) > 1 else inputs[0], training=False)},
        input_signature=specs,
    )
    archive.write_out(str(tmp_path / "saved_model"), verbose=False)
    converter = tf.lite.TFLiteConverter.from_saved_model(str(tmp_path / "saved_model"))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    path = tmp_path / "network.tflite"
    path.write_bytes(converter.convert())
    inputs = {spec.name: images(spec.shape[1:], count=3, seed=i) for i, spec in enumerate(specs)}
    arrays = [inputs[spec.name] for spec in specs]
    expected = np.asarray(network(arrays if len(arrays) > 1 else arrays[0], training=False))
    return float(np.abs(export.run_tflite(str(path), inputs)["outputs"] - expected).max())


@pytest.mark.parametrize(
    "make",
    [
        lambda: build_unet((32, 32, 3), output_channels=3, filters=8),
        lambda: build_resnet_generator((32, 32, 3), filters=4, residual_blocks=2),
        lambda: build_patchgan((32, 32, 3), condition_shape=(32, 32, 3), filters=8, normalization="instance"),
    ],
    ids=["unet", "resnet", "patchgan"],
)
def test_converts_to_tflite_with_builtin_ops(make, tmp_path):
    assert tflite_error(make(), tmp_path) <= 1e-4
