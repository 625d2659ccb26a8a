"""PacGAN's packing (kerasgan.packing, the `pack` option): what the discriminator sees, training, saving, bad input."""
import os

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import packing
from kerasgan.zoo import CGAN, DCGAN, EBGAN, GAN, WGAN


def test_packs_join_runs_of_consecutive_samples_along_the_last_axis():
    points = np.arange(10, dtype="float32").reshape(5, 2)  # 5 points: the fifth is left out of packs of 2
    np.testing.assert_array_equal(packing.pack_samples(points, 2), [[0, 1, 2, 3], [4, 5, 6, 7]])
    images = np.stack([np.full((3, 3, 1), value, "float32") for value in range(4)])
    packed = np.asarray(packing.pack_samples(images, 2))
    assert packed.shape == (2, 3, 3, 2)
    np.testing.assert_array_equal(packed[1, :, :, 0], np.full((3, 3), 2.0))
    np.testing.assert_array_equal(packed[1, :, :, 1], np.full((3, 3), 3.0))
    assert packing.packed_shape((28, 28, 1), 4) == (28, 28, 4) and packing.unpacked_shape((28, 28, 4), 4) == (28, 28, 1)


def images(count=16, size=16):
    return tf.random.stateless_uniform((count, size, size, 1), seed=(1, 2), minval=-1.0, maxval=1.0)


@pytest.mark.parametrize("make", [
    lambda: DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=4, pack=2, seed=0),
    lambda: WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=4, critic_steps=2, pack=2, seed=0),  # penalty on packs
])
def test_an_image_gan_with_packs_trains_and_saves_its_pack(make, tmp_path):
    import keras

    model = make()
    assert tuple(model.discriminator.inputs[0].shape[1:]) == (16, 16, 2)
    model.compile()
    history = model.fit(tf.data.Dataset.from_tensor_slices(images()).batch(8), epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())
    model.save(tmp_path / "packed.keras")
    loaded = keras.models.load_model(tmp_path / "packed.keras")
    assert loaded.pack == 2 and tuple(loaded.discriminator.inputs[0].shape[1:]) == (16, 16, 2)
    assert loaded.generate(3, seed=0).shape == (3, 16, 16, 1)


def test_the_mlp_gan_packs_points_and_judges_one_logit_per_pack():
    model = GAN(data_dim=2, units=8, depth=1, pack=4, seed=0)
    assert tuple(model.discriminator.inputs[0].shape[1:]) == (8,)
    real_logits, fake_logits = model.discriminate_both(tf.zeros((12, 2)), tf.ones((12, 2)), ())
    assert real_logits.shape[0] == 3 and fake_logits.shape[0] == 3  # real and fake never share a pack


def test_a_discriminator_given_with_a_pack_is_sized_for_the_packs():
    own = DCGAN(image_shape=(16, 16, 1), filters=4, pack=3).discriminator
    assert DCGAN(discriminator=own, latent_dim=8, filters=4, pack=3).image_shape == (16, 16, 1)
    with pytest.raises(ValueError, match=r"packs of 2 of them have shape \(16, 16, 2\).*takes \(16, 16, 3\)"):
        DCGAN(image_shape=(16, 16, 1), filters=4, discriminator=own, pack=2)


@pytest.mark.parametrize("make, message", [
    (lambda: DCGAN(image_shape=(16, 16, 1), filters=4, pack=0), "pack is how many samples .* >= 1, got 0"),
    (lambda: GAN(data_dim=2, units=4, depth=1, pack=2.0), "pack is how many samples .* got 2.0"),
    (lambda: CGAN(image_shape=(16, 16, 1), num_classes=10, filters=4, pack=2), "CGAN cannot pack .* one label per sample"),
    (lambda: GAN(data_dim=2, units=4, depth=1, unrolled_steps=2, pack=2), "cannot pack .* unrolled"),
    (lambda: EBGAN(image_shape=(16, 16, 1), filters=4, pack=2), "EBGAN has its own training step: pack does not apply"),
])
def test_a_pack_that_cannot_work_is_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_batch_smaller_than_a_pack_is_refused_before_the_graph():
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=4, pack=4, seed=0)
    model.compile()
    with pytest.raises(ValueError, match="4"):
        model.fit(tf.data.Dataset.from_tensor_slices(images(3)).batch(3), epochs=1, verbose=0)


def test_the_pack_flag_reaches_the_model():
    from kerasgan import cli

    try:
        cli.parse_flags(["kerasgan", "--model=gan", "--units=4", "--depth=1", "--pack=2"])
        assert cli.build_model(tf.TensorSpec((None, 2), tf.float32)).pack == 2
    finally:
        cli.FLAGS.unparse_flags()


def test_pacgans_mixture_networks_come_from_the_flags():
    import keras

    from kerasgan import cli
    from kerasgan.layers import Maxout

    recipe = os.path.join(os.path.dirname(__file__), "..", "zoo", "pacgan_grid25.flags")
    try:
        cli.parse_flags(["kerasgan", f"--flagfile={recipe}"])
        model = cli.build_model(tf.TensorSpec((None, 2), tf.float32))
    finally:
        cli.FLAGS.unparse_flags()
    maxouts = [layer for layer in model.discriminator.layers if isinstance(layer, Maxout)]
    assert model.pack == 4 and tuple(model.discriminator.inputs[0].shape[1:]) == (8,)
    assert [(layer.units, layer.pieces) for layer in maxouts] == [(200, 5)] * 3
    norms = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 4 and model.generator.layers[1].units == 400 and not model.generator.layers[1].use_bias
