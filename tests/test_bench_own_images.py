"""bench/own_images.py: the crop folder is never overwritten, and the README table is the results' own numbers."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
import own_images  # noqa: E402


def entry(seed, fid, diversity, steps=2400, minutes=3.0):
    return {"seed": seed, "steps": steps, "minutes": minutes, "fid": fid, "diversity_ratio": diversity}


def test_the_readme_table_has_each_rows_mean_and_std_over_its_seeds_and_the_real_floor():
    results = {
        "reference": {"fid": 164.0, "diversity_ratio": 0.95},
        "default/seed_0": entry(0, 441.3, 0.121, steps=300, minutes=2.7),
        "recipe/seed_0": entry(0, 230.0, 1.0),
        "recipe/seed_1": entry(1, 240.0, 0.9),
        "b16_long/seed_0": entry(0, 1.0, 1.0),  # a setting tried, not in the README
    }
    table = own_images.readme_table(results).splitlines()
    assert table[0] == own_images.README_BEGIN and table[-1] == own_images.README_END
    default, recipe, real = (line for line in table if line.startswith("| ") and "---" not in line and "settings" not in line)
    assert default.endswith("| 0 | 300 | 2.7 | 441 | 0.12 |")
    assert recipe.endswith("| 0, 1 | 2,400 +- 0 | 3.0 +- 0.0 | 235 +- 5 | 0.95 +- 0.05 |")
    assert real.endswith("| 164 | 0.95 |")


def test_a_folder_that_is_not_a_crop_folder_is_never_written_into(tmp_path):
    (tmp_path / "mine.png").write_bytes(b"not a crop")
    with pytest.raises(ValueError, match="is not a crop folder"):
        own_images.make_crop_folder(str(tmp_path), num_train=2, num_test=2)
    assert os.listdir(tmp_path) == ["mine.png"]
