"""SavedModel versions: numbered folders, never overwritten, never left half-written."""
import os

import pytest

from kerasgan import export
from kerasgan.zoo import DCGAN


def test_export_never_overwrites_and_leaves_no_partial_version(tmp_path):
    model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
    base = tmp_path / "dcgan"
    assert export.saved_model(model, str(base)).endswith("/1")
    assert export.saved_model(model, str(base)).endswith("/2")
    assert oct((base / "2").stat().st_mode & 0o777) == "0o755"
    with pytest.raises(FileExistsError, match="never overwrite"):
        export.saved_model(model, str(base), version=1)
    with pytest.raises(ValueError, match="version must be a positive integer"):
        export.saved_model(model, str(base), version=0)
    (base / "2" / "saved_model.pb").unlink()  # a broken version is still never replaced
    with pytest.raises(FileExistsError):
        export.saved_model(model, str(base), version=2)
    assert sorted(os.listdir(base)) == ["1", "2"]


def test_a_crash_while_exporting_leaves_nothing_behind(tmp_path):
    from kerasgan.export import versions

    def crash(path):
        (tmp_path / "base" / "marker").write_text("")  # something was being written
        open(os.path.join(path, "half.pb"), "w").close()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        versions.write_version(str(tmp_path / "base"), None, crash)
    assert sorted(os.listdir(tmp_path / "base")) == ["marker"]


def test_an_export_racing_another_takes_the_next_version_and_overwrites_nothing(tmp_path):
    from kerasgan.export import versions

    base = tmp_path / "base"

    def raced(path):  # another export finishes version 1 while this one writes
        (base / "1").mkdir()
        (base / "1" / "saved_model.pb").write_text("theirs")
        open(os.path.join(path, "saved_model.pb"), "w").close()

    assert versions.write_version(str(base), None, raced) == str(base / "2")
    assert (base / "1" / "saved_model.pb").read_text() == "theirs"
    assert sorted(os.listdir(base)) == ["1", "2"]

    def raced_on_3(path):
        (base / "3").mkdir()
        (base / "3" / "saved_model.pb").write_text("theirs")

    with pytest.raises(FileExistsError, match="written by another export meanwhile"):
        versions.write_version(str(base), 3, raced_on_3)
    assert sorted(os.listdir(base)) == ["1", "2", "3"] and (base / "3" / "saved_model.pb").read_text() == "theirs"
