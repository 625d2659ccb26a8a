"""ProGAN (Karras et al. 2018): the model contract at tiny sizes with the full networks; the growing schedule,
the fade-in of both networks, exact resume and MirroredStrategy equivalence in the middle of a fade; the
paper's settings; the command line; bad input."""
import json

import keras
import numpy as np
import pytest

from kerasgan import progressive, testing
from kerasgan.networks import progan as networks
from kerasgan.zoo import ProGAN

CASES = [
    testing.ModelCase(
        name="progan",
        make=lambda: ProGAN(image_shape=(16, 16, 1), latent_dim=8, filters=4, max_filters=8, stage_images=0, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        # G 3349: widths 8, 8, 4 at sides 4, 8, 16 (dense 1152, convs 584 + 1168 + 292 + 148, toRGB 5); D 3316: fromRGB 8,
        # convs 148 + 296 + 584 + 584, with the minibatch-stddev channel 656 + 1032, logit 8 (no bias); images seen 1.
        # Not growing: no lower toRGB / fromRGB, no level.
        params=6666,
        updates=testing.ONE_EACH,
    ),
    testing.ModelCase(
        name="progan_rgb_ema",
        make=lambda: ProGAN(image_shape=(8, 8, 3), latent_dim=4, filters=2, max_filters=4, stage_images=0, ema_decay=0.9, seed=1),
        batch=lambda: testing.images((8, 8, 3)),
        params=1749,  # G 589, its average 589, D 570, images seen 1
        updates=testing.ONE_EACH,
    ),
]
BY_NAME = pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)


def growing(images_seen=0, stage_images=4, **kwargs):
    """A 16x16 ProGAN whose stages last `stage_images` images, `images_seen` into its schedule."""
    model = ProGAN(image_shape=(16, 16, 1), latent_dim=8, filters=4, max_filters=8, stage_images=stage_images, seed=1, **kwargs)
    model.images_seen.assign(images_seen)
    return model


# 16x16 in stages of 4 images: 4x4 for 4, fade to 8x8 over 4 (images 4-8), stable, fade to 16x16 (12-16), stable
GROWING = testing.ModelCase(name="progan_growing", make=growing, batch=lambda: testing.images((16, 16, 1)), params=0,
                            updates=testing.ONE_EACH,
                            resume_with_xla=True)  # TF's graph executor gave other roundings on a loaded machine
MID_FADE = testing.ModelCase(name="progan_mid_fade", make=lambda: growing(images_seen=6), batch=lambda: testing.images((16, 16, 1)),
                             params=0, updates=testing.ONE_EACH)


@BY_NAME
def test_contract(case, tmp_path):
    testing.check_contract(case, tmp_path)


@pytest.mark.slow
@BY_NAME
@pytest.mark.parametrize("check", testing.SLOW_CHECKS)
def test_slow_contract(case, check, tmp_path):
    testing.check_contract(case, tmp_path, [check])


def test_the_level_follows_the_papers_schedule():
    # 4x4 for one phase, then per doubling a fade (the level rises by 1) and a stabilization, up to the top
    images = [0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 700, 900]
    levels = [float(progressive.level_at(n, stage_images=100, levels=3)) for n in images]
    assert levels == pytest.approx([0, 0, 0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2, 2])
    assert float(progressive.level_at(0, stage_images=0, levels=4)) == 3.0
    weights = np.array(progressive.level_weights(1.25, 4))
    np.testing.assert_allclose(weights, [0, 0.75, 0.25, 0])


def test_fit_grows_the_model_through_its_stages():
    model = growing(stage_images=8)
    model.compile()
    seen = []
    for _ in range(6):
        testing.fit_steps(model, testing.images((16, 16, 1)), 1)  # one batch of 8
        seen.append((int(model.images_seen), model.level, model.resolution))
    assert seen == [(8, 0.0, 4), (16, 1.0, 8), (24, 1.0, 8), (32, 2.0, 16), (40, 2.0, 16), (48, 2.0, 16)]


def _block_constant(images, size):
    """Whether every size x size block of each image is one value."""
    n, h, w, c = images.shape
    blocks = images.reshape(n, h // size, size, w // size, size, c)
    return np.allclose(blocks, blocks[:, :, :1, :, :1, :], atol=1e-6)


def test_the_generator_fades_in_each_resolution():
    model = growing()
    z = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")

    def at(level):
        progressive.set_level([model.generator], level)
        return np.array(model.generator(z, training=True))  # the linear output, unclipped

    assert _block_constant(at(0.0), 4) and _block_constant(at(1.0), 2) and not _block_constant(at(2.0), 2)
    # halfway into 16x16: the mean of the 8x8 image, upsampled, and the 16x16 one
    np.testing.assert_allclose(at(1.5), 0.5 * at(1.0) + 0.5 * at(2.0), atol=1e-5)


def test_the_discriminator_sees_the_image_at_the_levels_resolution():
    model = growing()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    # the same 4x4 averages: x plus a pattern that sums to 0 over every 4x4 block
    pattern = np.tile(np.array([[1, -1], [-1, 1]], "float32"), (8, 8))[None, :, :, None] * 0.1
    progressive.set_level([model.discriminator], 0.0)
    np.testing.assert_allclose(model.discriminator(x), model.discriminator(x + pattern), atol=1e-5)
    progressive.set_level([model.discriminator], 2.0)
    assert not np.allclose(model.discriminator(x), model.discriminator(x + pattern), atol=1e-5)
    progressive.set_level([model.discriminator], 0.5)  # a fade mixes the 8x8 path in, linearly in alpha
    mid = np.array(model.discriminator(x))
    progressive.set_level([model.discriminator], 0.0)
    low = np.array(model.discriminator(x))
    progressive.set_level([model.discriminator], 1.0)
    high = np.array(model.discriminator(x))
    assert not np.allclose(mid, low) and not np.allclose(mid, high)


def _trained_through_the_stages(whole_networks=False, steps=14, **compile_args):
    """A growing(stage_images=16) model fit one batch of 8 at a time through 4x4, the fade to 8x8 and 8x8, the fade
    to 16x16 and 16x16; with `whole_networks`, every step runs the whole networks. Returns it and train_step's
    trace count."""
    keras.utils.set_random_seed(0)
    model = growing(stage_images=16)
    model.compile(**compile_args)
    if whole_networks:
        model.networks_at = lambda depth: (model.generator, model.discriminator)
    traced = testing.count_traces(model)
    for _ in range(steps):
        testing.fit_steps(model, testing.images((16, 16, 1)), 1)
    return model, len(traced)


def test_each_step_runs_only_the_resolutions_at_its_level_and_trains_as_the_whole_networks():
    model, traces = _trained_through_the_stages()
    assert model.level == 2.0 and sorted(model._parts.by_depth) == [0, 1] and traces == 3  # one per depth
    generator_4, discriminator_4 = model.networks_at(0)
    held = {variable.path for variable in model.generator.weights}
    assert {variable.path for variable in generator_4.weights} < held  # G's own variables, fewer of them
    assert "to_rgb_8" not in [layer.name for layer in generator_4.layers]
    assert "from_rgb_16" not in [layer.name for layer in discriminator_4.layers]
    whole, _ = _trained_through_the_stages(whole_networks=True)
    # the same numbers as the whole networks, whose layers above the level take part with weight 0
    for mine, theirs in zip(model.weights, whole.weights):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs), err_msg=mine.path)


def test_several_steps_per_execution_run_the_whole_networks():
    model, traces = _trained_through_the_stages(steps=2, steps_per_execution=2)
    assert traces == 1 and model._parts.by_depth == {}


def test_a_run_resumed_across_a_fade_ends_exactly_as_an_uninterrupted_one(tmp_path):
    testing.check_resume(GROWING, tmp_path)  # batches of 2: the resumed steps 6-8 (images 12-16) are the fade into 16x16


def test_mirrored_training_in_the_middle_of_a_fade_is_the_one_device_step():
    testing.check_mirrored_equivalence(MID_FADE)


def test_the_level_is_saved_with_the_model(tmp_path):
    model = growing(images_seen=6)
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    assert (int(restored.images_seen), restored.level) == (6, 0.5)
    z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    np.testing.assert_allclose(restored.generator(z), model.generator(z), atol=1e-6)


def test_progan_takes_the_papers_settings():
    model = ProGAN(image_shape=(32, 32, 3))
    assert (model.latent_dim, model.discriminator_steps, model.stage_images, model.loss) == (512, 1, 800_000, "wasserstein")
    assert (model.penalty_weight, model.drift_weight) == (10.0, 0.001)
    optimizer = model.default_generator_optimizer()
    assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == pytest.approx((1e-3, 0, 0.99, 1e-8))
    # the paper's widths at 32x32, min(8192 / side, 512): 512 at 4, 8 and 16; 256 at 32
    assert [networks.filters_at(side, 32, 8192 // 32, 512) for side in (4, 8, 16, 32)] == [512, 512, 512, 256]
    assert model.discriminator.get_layer("from_rgb_32").filters == 256
    assert model.discriminator.get_layer("from_rgb_4").filters == 512
    assert model.metric_names == ["d_loss", "wasserstein_estimate", "gradient_penalty", "drift", "g_loss"]


def test_the_drift_term_is_in_the_critics_loss():
    model = growing(stage_images=0, drift_weight=0.5)
    real_logits = np.array([[1.0], [3.0]], "float32")
    terms = model.extra_discriminator_terms(real_logits, real_logits)
    assert terms["drift"][0] == 0.5 and float(terms["drift"][1]) == pytest.approx(5.0)


def test_progan_rejects_bad_input():
    with pytest.raises(ValueError, match=r"power of two >= 8, got 28x28; load the data resized, e.g. image_size=32"):
        ProGAN(image_shape=(28, 28, 1))
    with pytest.raises(ValueError, match="ProGAN needs image_shape"):
        ProGAN()
    with pytest.raises(ValueError, match="stage_images must be an integer >= 0"):
        ProGAN(image_shape=(8, 8, 1), filters=2, stage_images=-1)
    with pytest.raises(ValueError, match="ProGAN's critic is WGAN-GP's: loss cannot be set"):
        ProGAN(image_shape=(8, 8, 1), filters=2, loss="hinge")
    with pytest.raises(ValueError, match="pack does not apply"):
        ProGAN(image_shape=(8, 8, 1), filters=2, pack=2)
    with pytest.raises(ValueError, match="give it progressive ones"):
        from kerasgan.networks import dcgan

        ProGAN(image_shape=(8, 8, 1), generator=dcgan.build_generator((8, 8, 1), 4, 4), filters=2)


def test_train_grows_progan_from_the_command_line(tmp_path):
    from tests.test_cli import TINY, kerasgan

    run = tmp_path / "run"
    result = kerasgan("train", "--model=progan", *TINY, "--epochs=1", "--stage_images=600", "--max_filters=16",
                      f"--output_dir={run}", f"--export_dir={tmp_path / 'saved_models'}")
    assert result.returncode == 0, result.stderr[-3000:]
    from kerasgan import zoo  # noqa: F401  (registers the zoo classes for load_model)

    model = keras.models.load_model(run / "model.keras")
    seen = int(model.images_seen)
    assert seen > 1200 and model.level == pytest.approx(float(progressive.level_at(seen, 600, 3)))
    history = json.loads((run / "history.json").read_text())
    assert all(np.isfinite(values[0]) for values in history.values())


def test_samples_are_clipped_to_the_image_range_outside_training_only():
    model = growing(stage_images=0)
    to_rgb = model.generator.get_layer("to_rgb_16")
    kernel, bias = to_rgb.get_weights()
    to_rgb.set_weights([30 * kernel, bias])  # so that the linear output surely leaves [-1, 1]
    z = np.random.default_rng(0).normal(size=(8, 8)).astype("float32")
    raw = np.array(model.generator(z, training=True))
    assert np.abs(raw).max() > 1
    np.testing.assert_allclose(model.generator(z), np.clip(raw, -1, 1), atol=1e-6)
