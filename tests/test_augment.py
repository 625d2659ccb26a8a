"""DiffAugment (Zhao et al. 2020): each transformation against what it must do, gradients through them, and the
GAN option that puts them in front of D in training only."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import augment, testing
from kerasgan.zoo import DCGAN, EBGAN, GAN


def constant_draw(value, batch=4):
    """A `draw` that returns `value` for every image."""
    return lambda shape: tf.fill((batch,) + tuple(shape), value)


IMAGES = testing.images((8, 8, 2), 4, seed=0)


def test_middle_draws_leave_colour_and_position_unchanged():
    np.testing.assert_allclose(augment.color(IMAGES, constant_draw(0.5)), IMAGES, atol=1e-6)
    np.testing.assert_array_equal(augment.translation(IMAGES, constant_draw(0.5)), IMAGES)


def test_translation_shifts_whole_pixels_and_fills_zeros():
    shifted = np.asarray(augment.translation(IMAGES, constant_draw(0.0)))  # the most negative shift: 1 pixel of 8
    np.testing.assert_array_equal(shifted[:, :-1, :-1], IMAGES[:, 1:, 1:])
    assert not shifted[:, -1].any() and not shifted[:, :, -1].any()
    shifted = np.asarray(augment.translation(IMAGES, constant_draw(0.999)))  # the most positive
    np.testing.assert_array_equal(shifted[:, 1:, 1:], IMAGES[:, :-1, :-1])


def test_cutout_zeroes_a_square_of_half_the_side():
    cut = np.asarray(augment.cutout(IMAGES, constant_draw(0.5)))
    holes = cut == 0
    assert holes.sum(axis=(1, 2, 3)).tolist() == [4 * 4 * 2] * 4
    np.testing.assert_array_equal(cut[~holes], IMAGES[~holes])
    corner = np.asarray(augment.cutout(IMAGES, constant_draw(0.0)))  # centred on the corner: a quarter shows
    assert (corner == 0).sum(axis=(1, 2, 3)).tolist() == [2 * 2 * 2] * 4


def test_gradients_reach_the_images_through_every_policy():
    images = tf.constant(IMAGES)
    draw = lambda shape: keras.random.uniform((4,) + tuple(shape), seed=3)  # noqa: E731
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = augment.diff_augment(images, augment.POLICIES, draw)
        loss = tf.reduce_sum(out * out)
    gradient = tape.gradient(loss, images).numpy()
    assert np.isfinite(gradient).all() and (gradient != 0).mean() > 0.3


def test_a_gan_augments_what_d_sees_in_training_only():
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=4, filters=4, diff_augment="translation, cutout", seed=1)
    assert model.diff_augment == "translation,cutout"
    assert DCGAN.from_config(model.get_config()).diff_augment == "translation,cutout"
    images = testing.images((16, 16, 1), 4, seed=2)
    plain = np.asarray(model.discriminator(images, training=False))
    np.testing.assert_allclose(model.critic_function((), training=False)(images), plain, rtol=1e-6)
    augmented = np.asarray(model.critic_function((), training=True)(images))
    assert np.abs(augmented - np.asarray(model.discriminator(images, training=True))).max() > 1e-4
    model.compile()
    history = testing.fit_steps(model, images, 2)
    assert np.isfinite(history.history["d_loss"]).all()


def test_diff_augment_rejects_bad_input():
    with pytest.raises(ValueError, match=r"diff_augment takes a comma-separated list of color, translation, cutout, got 'flip'"):
        DCGAN(image_shape=(16, 16, 1), diff_augment="flip")
    with pytest.raises(ValueError, match=r"diff_augment transforms images; GAN makes samples of shape \(2,\)"):
        GAN(diff_augment="color")
    with pytest.raises(ValueError, match="EBGAN has its own training step: diff_augment does not apply to it"):
        EBGAN(image_shape=(16, 16, 1), diff_augment="color")
    with pytest.raises(ValueError, match="cannot augment for an unrolled discriminator"):
        DCGAN(image_shape=(16, 16, 1), diff_augment="color", unrolled_steps=2)
