"""SampleGrid: a PNG per epoch from fixed latents, and an image summary for TensorBoard."""
import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import plots
from kerasgan.callbacks import SampleGrid
from kerasgan.zoo import DCGAN, GAN


def test_sample_grid_writes_fixed_seed_pngs_and_image_summaries(tmp_path):
    model = DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=0)
    model.compile()
    grid = SampleGrid(str(tmp_path / "samples"), num_images=4, every=2, log_dir=str(tmp_path / "logs"), scale=1)
    model.fit(np.zeros((8, 8, 8, 1), "float32"), batch_size=8, epochs=4, verbose=0, callbacks=[grid])
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0002.png", "epoch_0004.png"]
    picture = np.asarray(Image.open(tmp_path / "samples" / "epoch_0004.png"))
    np.testing.assert_array_equal(picture, plots.image_grid(model.generate(4, seed=0)))
    events = [os.path.join(tmp_path / "logs" / "samples", f) for f in os.listdir(tmp_path / "logs" / "samples")]
    tags = [
        (value.tag, event.step)
        for path in events
        for event in tf.compat.v1.train.summary_iterator(path)
        for value in event.summary.value
    ]
    assert tags == [("samples", 2), ("samples", 4)]


def test_sample_grid_plots_two_dimensional_samples(tmp_path):
    model = GAN(units=4, depth=1, seed=0)
    model.compile()
    grid = SampleGrid(str(tmp_path), num_images=16)
    model.fit(np.zeros((8, 2), "float32"), batch_size=8, epochs=1, verbose=0, callbacks=[grid])
    assert Image.open(grid.last_path).size == (400, 400)


def test_image_grid_layout_and_range():
    images = np.stack([np.full((2, 3, 1), -1.0), np.full((2, 3, 1), 1.0), np.zeros((2, 3, 1))]).astype("float32")
    grid = plots.image_grid(images, columns=2, padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1)
    assert grid[1, 1] == 0 and grid[1, 5] == 255 and grid[4, 1] == 128
    with pytest.raises(ValueError, match="image_grid takes"):
        plots.image_grid(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="num_images and every must be >= 1"):
        SampleGrid("x", num_images=0)


def test_sample_layout_defaults_per_kind_of_model():
    from kerasgan.zoo import CGAN

    assert plots.sample_layout(GAN(units=4, depth=1)) == (2500, None)
    assert plots.sample_layout(DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4)) == (64, None)
    cgan = CGAN(image_shape=(8, 8, 1), num_classes=3, latent_dim=4, filters=4)
    assert plots.sample_layout(cgan) == (63, 3) and plots.sample_layout(cgan, 10) == (9, 3)


def test_learning_rate_schedules_run_under_mirrored_strategy():
    """The schedules read the optimizers' rates, which are MirroredVariables under a strategy."""
    from kerasgan import testing
    from kerasgan.callbacks import AnnealedLearningRate, LinearDecay, ReversalSchedule
    from kerasgan.zoo import DANN

    with testing.two_cpu_strategy().scope():
        model = DANN(input_shape=(2,), num_classes=2, seed=1)
        model.compile()
    (source, target), labels = testing.domains((2,), 2)
    dataset = tf.data.Dataset.from_tensors(((source, target), labels)).repeat(2)
    schedules = [ReversalSchedule(), AnnealedLearningRate(), LinearDecay(epochs=2)]
    model.fit(dataset, epochs=2, verbose=0, callbacks=schedules)
    rate = float(np.asarray(model.generator_optimizer.learning_rate))
    assert 0 < rate < 0.01  # annealed, then halved by the decay's last epoch
    assert 0 < float(np.asarray(model.gradient_reversal.strength)) < 1


def test_a_one_epoch_cyclegan_schedule_decays_over_that_epoch():
    from kerasgan.callbacks import LinearDecay

    assert LinearDecay(epochs=1).decay_epochs == 1 and LinearDecay(epochs=30).decay_epochs == 15
