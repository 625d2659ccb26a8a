"""What Pix2Pix and CycleGAN share as translators, tried on Pix2Pix: the sample grid of input | output | target.
Each model's own tests are in tests/models/test_pix2pix.py and tests/models/test_cyclegan.py."""
import os

import numpy as np
import pytest
from PIL import Image

from kerasgan import callbacks, data, plots
from kerasgan.zoo import Pix2Pix


def _pix2pix(**kwargs):
    return Pix2Pix(input_shape=(16, 16, 1), output_channels=3, filters=4, seed=1, **kwargs)


def test_sample_grid_of_a_translator_shows_input_output_target(tmp_path):
    pairs = next(iter(data.load("digits2digits_m", image_size=16, batch_size=3, paired=True, shuffle=False)))
    examples = tuple(part.numpy() for part in pairs)
    model = _pix2pix()
    model.compile()
    grid = callbacks.SampleGrid(str(tmp_path), examples=examples, scale=1)
    grid.set_model(model)
    grid.on_train_begin()
    grid.on_epoch_end(0)
    picture = np.asarray(Image.open(grid.last_path))
    assert picture.shape == (3 * 18 + 2, 3 * 18 + 2, 3)  # 3 rows of input | output | target
    left = picture[2:18, 2:18]
    assert np.all(left[..., 0] == left[..., 1])  # the grey input, shown as RGB
    assert os.path.basename(grid.last_path) == "epoch_0001.png"
    with pytest.raises(ValueError, match="give a batch of examples"):
        plots.picture(model)
