"""User artifacts: written whole or not at all, never over an existing file unless asked."""
import os

import pytest

from kerasgan import saving
from kerasgan.zoo import GAN


def test_a_write_that_fails_leaves_neither_the_file_nor_a_partial_one(tmp_path):
    def failing(partial):
        open(partial, "wb").write(b"half of it")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        saving.write_file(str(tmp_path / "model.tflite"), failing)
    assert os.listdir(tmp_path) == []


def test_an_existing_file_is_never_overwritten_even_one_that_appears_while_writing(tmp_path):
    path = tmp_path / "model.tflite"
    path.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="already exists: kerasgan never overwrites it"):
        saving.write_file(str(path), lambda partial: open(partial, "wb").write(b"new"))
    path.unlink()

    def racing(partial):
        open(partial, "wb").write(b"new")
        path.write_bytes(b"another writer's")

    with pytest.raises(FileExistsError, match="never overwrites"):
        saving.write_file(str(path), racing)
    assert path.read_bytes() == b"another writer's" and os.listdir(tmp_path) == ["model.tflite"]


def test_save_atomically_refuses_an_existing_model_unless_told_to_overwrite(tmp_path):
    model = GAN(data_dim=2, latent_dim=2, units=8, depth=1)
    model.compile()
    path = tmp_path / "model.keras"
    saving.save_atomically(model, str(path), overwrite=False)
    first = path.read_bytes()
    with pytest.raises(FileExistsError, match="never overwrites"):
        saving.save_atomically(model, str(path), overwrite=False)
    assert path.read_bytes() == first
    saving.save_atomically(model, str(path))  # a cache may be replaced
    assert sorted(os.listdir(tmp_path)) == ["model.keras"]
