"""SavedModel versions: numbered folders, never overwritten, never left half-written, all one kind of model."""
import json
import os
import re
import shutil

import pytest
import tensorflow as tf

import kerasgan
from kerasgan import export
from kerasgan.zoo import DCGAN, WGAN


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


# --- a new version must be the same kind of model as the newest one (TF Serving serves the newest) ---


@pytest.fixture(scope="module")
def dcgan():
    return DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)


def test_the_same_model_exported_twice_takes_versions_1_and_2_and_records_its_class(dcgan, tmp_path):
    base = tmp_path / "dcgan"
    assert export.saved_model(dcgan, str(base)).endswith("/1")
    retrained = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=2)  # other weights, same kind
    assert export.saved_model(retrained, str(base)).endswith("/2")
    assert sorted(os.listdir(base)) == ["1", "2"]
    metadata = json.loads((base / "2" / "assets.extra" / "kerasgan.json").read_text())
    assert metadata == {"class": "kerasgan.zoo.dcgan.DCGAN", "kerasgan_version": kerasgan.__version__}


def test_a_model_of_another_image_shape_is_refused_in_one_line_and_nothing_is_written(dcgan, tmp_path):
    base = tmp_path / "dcgan"
    export.saved_model(dcgan, str(base))
    other = DCGAN(image_shape=(8, 8, 3), latent_dim=8, filters=8, seed=1)
    expected = (
        f"{base} holds version 1 of DCGAN with serving_default z (None, 8) -> images (None, 16, 16, 1); "
        "this DCGAN exports serving_default z (None, 8) -> images (None, 8, 8, 3): TF Serving would serve whichever "
        f"version is newest. Export to another base path (e.g. {base}_8x8x3)"
    )
    for version in (None, 7):
        with pytest.raises(ValueError) as refused:
            export.saved_model(other, str(base) + "/", version=version)
        assert str(refused.value) == expected
    assert os.listdir(base) == ["1"]  # no new version, no hidden staging folder


def test_another_class_with_the_same_signatures_is_refused(dcgan, tmp_path):
    base = tmp_path / "dcgan"
    export.saved_model(dcgan, str(base))
    with pytest.raises(ValueError, match=re.escape(f"{base} holds version 1 of class DCGAN and this model is of class WGAN: ")):
        export.saved_model(WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1), str(base))
    assert os.listdir(base) == ["1"]


def test_a_version_without_kerasgan_metadata_is_compared_by_signatures_only(dcgan, tmp_path):
    base = tmp_path / "dcgan"
    export.saved_model(dcgan, str(base))
    shutil.rmtree(base / "1" / "assets.extra")  # as an older export, or another tool's SavedModel
    wgan = WGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
    assert export.saved_model(wgan, str(base)).endswith("/2")  # the class is unknown: same signatures pass
    shutil.rmtree(base / "2" / "assets.extra")
    held = f"{base} holds version 2 with serving_default z (None, 8) -> images (None, 16, 16, 1); "
    with pytest.raises(ValueError, match=re.escape(held)):
        export.saved_model(DCGAN(image_shape=(16, 16, 1), latent_dim=4, filters=8, seed=1), str(base))
    assert sorted(os.listdir(base)) == ["1", "2"]


def test_a_savedmodel_made_by_something_else_is_compared_by_its_signatures(dcgan, tmp_path):
    base = tmp_path / "dcgan"
    module = tf.Module()
    module.serve = tf.function(lambda z: {"images": tf.reshape(z, [-1, 2, 2, 2])}, input_signature=[tf.TensorSpec([None, 8])])
    tf.saved_model.save(module, str(base / "3"), signatures={"serving_default": module.serve})
    held = f"{base} holds version 3 with signatures serving_default; this DCGAN exports generate, serving_default: "
    with pytest.raises(ValueError, match=re.escape(held)):
        export.saved_model(dcgan, str(base))
    assert os.listdir(base) == ["3"]


def test_the_newest_version_holding_a_savedmodel_is_the_one_compared(dcgan, tmp_path):
    base, elsewhere = tmp_path / "dcgan", tmp_path / "elsewhere"
    export.saved_model(dcgan, str(base))
    other = DCGAN(image_shape=(8, 8, 3), latent_dim=8, filters=8, seed=1)
    os.rename(export.saved_model(other, str(elsewhere)), base / "2")  # e.g. copied in by hand
    (base / "3").mkdir()  # an empty folder holds no SavedModel: not what TF Serving serves
    held = f"{base} holds version 2 of DCGAN with serving_default z (None, 8) -> images (None, 8, 8, 3); "
    with pytest.raises(ValueError, match=re.escape(held)):
        export.saved_model(dcgan, str(base))
    assert export.saved_model(other, str(base)).endswith("/4")


def test_check_same_model_writes_nothing_and_passes_an_empty_base_path(dcgan, tmp_path):
    from kerasgan.export import compatible

    compatible.check_same_model(dcgan, str(tmp_path / "missing"))
    assert os.listdir(tmp_path) == []
    assert compatible.model_signatures(dcgan) == compatible.saved_signatures(export.saved_model(dcgan, str(tmp_path / "b")))
