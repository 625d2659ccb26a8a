"""bench/quality.py: finished rows are never redone, and the tables say met or missed from the numbers."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
import quality  # noqa: E402
import quality_tables  # noqa: E402

FLOORS = {
    "grid25": {"modes": 25, "hq_fraction": 0.989, "reverse_kl": 0.005},
    "digits": {"frechet_distance": 10.0, "kid": 0.4, "precision": 0.95, "recall": 0.92, "examples": 360},
}


def result(row, seed, steps=100, history=None, **scores):
    return {
        "row": row, "seed": seed, "scores": scores, "generator_steps": steps, "train_seconds": 60.0,
        "train_command": f"kerasgan train --flagfile=zoo/{row}.flags --seed={seed}",
        "evaluate_command": "kerasgan evaluate ...", "quality_history": history or {},
    }


def test_a_finished_row_is_read_back_not_retrained(tmp_path, monkeypatch):
    stored = result("dcgan_digits", 0, frechet_distance=20.0)
    (tmp_path / "dcgan_digits_seed0.json").write_text(json.dumps(stored))
    monkeypatch.setattr(quality.subprocess, "run", lambda *a, **k: pytest.fail("a finished row was trained again"))
    try:
        quality.FLAGS(["quality", f"--results={tmp_path}", f"--runs={tmp_path / 'runs'}"])
        assert quality.run_one("dcgan_digits", 0) == stored
    finally:
        quality.FLAGS.unparse_flags()


def test_a_trained_but_unscored_run_is_scored_not_trained_again(tmp_path, monkeypatch):
    import keras

    run = tmp_path / "runs" / "dcgan_digits" / "seed_0"
    run.mkdir(parents=True)
    for name in ("run.flags", "model.keras", "history.json"):
        (run / name).write_text("{}")
    os.utime(run / "run.flags", (1000, 1000))
    os.utime(run / "model.keras", (1600, 1600))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.generator_optimizer = keras.optimizers.Adam()
    monkeypatch.setattr(quality.subprocess, "run", lambda *a, **k: pytest.fail("a trained run was trained again"))
    monkeypatch.setattr(quality, "_scores", lambda row, path: (model, {"frechet_distance": 12.0}))
    monkeypatch.setattr(quality, "samples_figure", lambda *args: None)
    try:
        quality.FLAGS(["quality", f"--results={tmp_path}", f"--runs={tmp_path / 'runs'}"])
        scored = quality.run_one("dcgan_digits", 0)
    finally:
        quality.FLAGS.unparse_flags()
    assert scored["scores"] == {"frechet_distance": 12.0} and scored["train_seconds"] == 600
    assert json.loads((tmp_path / "dcgan_digits_seed0.json").read_text()) == scored


def test_mixture_table_reports_the_trend_and_a_missed_target():
    history = {"quality_modes": [10, 20], "quality_hq_fraction": [0.01, 0.5]}
    results = {
        "gan_grid25": [result("gan_grid25", 0, 780, history, modes=20, num_modes=25, hq_fraction=0.5, reverse_kl=0.1)],
        "ensemble_gan_grid25": [result(
            "ensemble_gan_grid25", 0, 780, history, modes=25, num_modes=25, hq_fraction=0.95, reverse_kl=0.01,
            profile_0=1.3, profile_1=1.1,
        )],
    }
    text = quality_tables.section(quality.ROWS, results, FLOORS, "<b>", "<e>")
    assert "| GAN (non-saturating) | 0 | 780 | 20.0 of 25 | 50.0 % |" in text
    assert "Best here: discriminator ensemble, 25.0 modes and 95.0 %: **met**" in text
    assert "| 2 | 20.0, 50.0 (780 steps) |" in text and "D0 1.300, D1 1.100" in text
    results["ensemble_gan_grid25"][0]["scores"]["hq_fraction"] = 0.9
    assert "**missed**" in quality_tables.section(quality.ROWS, results, FLOORS, "<b>", "<e>")


def test_digits_table_compares_fd_with_three_times_the_floor():
    results = {
        "dcgan_digits": [result("dcgan_digits", s, frechet_distance=fd, kid=1.0, precision=0.5, recall=0.8)
                         for s, fd in ((0, 25.0), (1, 27.0))],
        "cgan_digits": [result("cgan_digits", 0, frechet_distance=35.0, kid=1.0, precision=0.5, recall=0.8,
                               label_accuracy=0.97)],
    }
    text = quality_tables.section(quality.ROWS, results, FLOORS, "<b>", "<e>")
    assert "| DCGAN | 0, 1 | 100 | 26.0 +- 1.0 | 2.6 |" in text
    assert "DCGAN met, CGAN missed" in text and "0.970" in text
    assert "Not run yet:" in text and "wgan_gp_digits" in text


def test_a_mixture_table_where_no_row_captured_a_mode_says_so():
    floors = {"ring8": {"modes": 8, "hq_fraction": 0.989, "reverse_kl": 0.002}}
    history = {"quality_modes": [0], "quality_hq_fraction": [0.0]}
    results = {"gan_ring8": [result("gan_ring8", 0, 390, history, modes=0, num_modes=8, hq_fraction=0.0, reverse_kl=1e9)]}
    text = quality_tables.section(quality.ROWS, results, floors, "<b>", "<e>")
    assert "No row captured a mode: **missed**" in text and "| 1 | 0.0, 0.0 (390 steps) |" in text


def test_mnist_table_sets_each_recipe_beside_lucics_row_of_its_loss():
    floors = {"mnist": {"fid": 1.6, "kid": 1e-4, "precision": 0.79, "recall": 0.79, "examples": 10_000}}
    image = dict(kid=0.002, precision=0.7, recall=0.6)
    results = {
        "dcgan_mnist_lucic": [result("dcgan_mnist_lucic", s, 15_625, fid=fid, **image) for s, fid in ((0, 6.0), (1, 7.0))],
        "dcgan_mnist": [result("dcgan_mnist", 0, 3_748, fid=24.5, **image)],
        "lsgan_mnist": [result("lsgan_mnist", 0, 15_625, fid=9.0, **image)],
        "cgan_mnist": [result("cgan_mnist", 0, 15_625, fid=8.0, label_accuracy=0.98, **image)],
        "dcgan_mnist_lucic_float32": [result("dcgan_mnist_lucic_float32", 0, 15_625, fid=7.5, **image)],
    }
    text = quality_tables.section(quality.ROWS, results, floors, "<b>", "<e>")
    assert "| DCGAN (non-saturating), float32 | NS GAN: 6.8 +- 0.5 | 0 | 7.5 | the same |" in text
    assert "| real train vs test (floor, 10,000 vs 10,000) | | | 1.60 | | 0.10 | 0.790 / 0.790 |" in text
    # both budgets of the DCGAN recipe on one line, against NS GAN's 6.8: a mean of 6.5 meets it
    assert "| DCGAN (non-saturating) | NS GAN: 6.8 +- 0.5 | 0, 1 | 6.5 +- 0.5 | 24.5 (3,748) | 2.00 +- 0.00 |" in text
    assert "| least squares | LSGAN: 7.8 +- 0.6 | 0 | 9.0 | the same |" in text
    assert "| 0.980 | 1.0 | **missed** |" in text  # CGAN: label accuracy, minutes, 8.0 above 6.8
    verdicts = "DCGAN (non-saturating) met, DCGAN (non-saturating), float32 missed, least squares missed"
    assert verdicts + ", CGAN missed" in text
    assert "best here DCGAN (non-saturating) 6.5, **met**" in text  # below WGAN's 6.7, their best
    assert "Their other rows: MM GAN 9.8 +- 0.9, WGAN 6.7 +- 0.4" in text
    del results["dcgan_mnist"]  # the recipe's own shorter budget, not run
    text = quality_tables.section(quality.ROWS, results, floors, "<b>", "<e>")
    assert "| DCGAN (non-saturating) | NS GAN: 6.8 +- 0.5 | 0, 1 | 6.5 +- 0.5 | not run yet |" in text


def test_readme_table_sets_both_datasets_beside_lucic_and_dann_beside_ganin():
    floors = {"mnist": {"fid": 1.64}, "fashion_mnist": {"fid": 2.53}}
    image = dict(kid=0.002, precision=0.7, recall=0.6)
    results = {
        "dcgan_mnist_lucic": [result("dcgan_mnist_lucic", s, 15_625, fid=fid, **image) for s, fid in ((0, 6.0), (1, 7.0))],
        "dcgan_mnist": [result("dcgan_mnist", 0, 3_748, fid=24.5, **image)],  # not at their budget: not in the README
        "lsgan_fashion_mnist": [result("lsgan_fashion_mnist", 0, 15_625, fid=28.0, **image)],
        "dann_mnist_m": [result("dann_mnist_m", s, 9_370, class_accuracy=a) for s, a in ((0, 0.80), (1, 0.82))],
    }
    text = quality_tables.readme_table(quality.ROWS, results, floors)
    assert "| DCGAN (non-saturating) | 6.5 +- 0.5 (2 seeds) | NS GAN 6.8 +- 0.5 | not run yet | – |" in text
    assert "| least squares | not run yet | – | 28.0 (1 seed) | LSGAN 30.7 +- 2.2 |" in text
    assert "24.5" not in text and "1.64 on MNIST, 2.53 on Fashion-MNIST" in text
    assert "target accuracy 0.810 +- 0.010 (2 seeds), against 0.7666" in text


def test_each_row_runs_its_own_seeds_unless_told():
    assert quality.plan(["dann_moons", "dcgan_digits"]) == [
        ("dann_moons", 0), ("dcgan_digits", 0), ("dann_moons", 1), ("dcgan_digits", 1), ("dann_moons", 2),
        ("dcgan_digits", 2), ("dann_moons", 3), ("dann_moons", 4),
    ]
    assert quality.plan(["dann_moons", "dcgan_digits"], ["1"]) == [("dann_moons", 1), ("dcgan_digits", 1)]


def test_readme_says_when_no_mnist_row_has_run():
    results = {"dann_mnist_m": [result("dann_mnist_m", 0, 9_370, class_accuracy=0.8)]}
    text = quality_tables.readme_table(quality.ROWS, results, {})
    assert "rows are not run yet (`make bench-quality`)" in text and "| model |" not in text and "0.800 (1 seed)" in text


def test_each_model_page_gets_its_mnist_rows_with_the_averaged_and_the_trained_generator():
    pages = quality_tables.page_rows(quality.ROWS)
    assert {"dcgan_mnist_lucic", "lsgan_fashion_mnist"} <= set(pages["dcgan"]) and "wgan_clip_mnist" in pages["wgan"]
    image = dict(kid=0.002, precision=0.7, recall=0.6)
    results = {"lsgan_mnist": [
        result("lsgan_mnist", s, 15_625, fid=fid, without_average={"fid": raw}, **image)
        for s, fid, raw in ((0, 6.0, 15.0), (1, 7.0, 17.0))
    ]}
    links = {"lsgan_mnist": "../quality/lsgan_mnist.png"}
    text = quality_tables.page_section(quality.ROWS, results, pages["dcgan"], links.get)
    assert "| `lsgan_mnist` | least squares | MNIST | 15,625 | 0, 1 | 6.5 +- 0.5 | 16.0 +- 1.0 " \
        "| LSGAN 7.8 +- 0.6 | 1.0 |" in text
    assert "| `dcgan_fashion_mnist` | DCGAN (non-saturating) | Fashion-MNIST | | – | not run yet | | NS GAN 26.5 +- 1.6 | |" in text
    assert "![least squares on MNIST, seed 0](../quality/lsgan_mnist.png)" in text
    assert text.startswith(quality_tables.PAGE_BEGIN) and text.endswith(quality_tables.PAGE_END)


def test_moons_target_asks_every_seed_not_the_mean():
    accuracies = (1.0, 1.0, 1.0, 1.0, 0.9)  # mean 0.98, one seed below 0.95
    results = {"dann_moons": [result("dann_moons", s, 8_000, class_accuracy=a) for s, a in enumerate(accuracies)]}
    text = quality_tables.section(quality.ROWS, results, {}, "<b>", "<e>")
    assert "Target: DANN >= 0.95 in every seed (lowest 0.90): **missed**." in text
    results["dann_moons"][4]["scores"]["class_accuracy"] = 0.95
    assert "(lowest 0.95): **met**." in quality_tables.section(quality.ROWS, results, {}, "<b>", "<e>")


def test_inpainting_table_sets_each_row_beside_mean_fill():
    scores = lambda l1, psnr: dict(  # noqa: E731
        hole_l1=l1, hole_psnr=psnr, mean_fill_hole_l1=0.20, mean_fill_hole_psnr=12.0, examples=10000
    )
    results = {
        "context_encoder_fashion_mnist": [result("context_encoder_fashion_mnist", s, 9370, **scores(0.10, 17.0)) for s in (0, 1)],
        "context_encoder_fashion_mnist_l2": [result("context_encoder_fashion_mnist_l2", 0, 9370, **scores(0.25, 11.0))],
    }
    text = quality_tables.section(quality.ROWS, results, {}, "<b>", "<e>")
    assert "| mean-fill (baseline) | | | 0.2000 | 12.00 | |" in text
    assert "| context encoder (L2 + adversarial) | 0, 1 | 9,370 | 0.1000 +- 0.0000 | 17.00 +- 0.00 | 1.0 |" in text
    assert "context encoder (L2 + adversarial) **met**; the same network on L2 alone **missed**" in text


def test_comparison_page_sorts_the_rows_by_fid_and_shows_the_vae_beside_the_best_gan():
    import vae_vs_gan

    def scored(row, fid, precision, recall):
        return [result(row, 0, 15625, fid=fid, precision=precision, recall=recall)]

    results = {"vae_mnist": scored("vae_mnist", 30.0, 0.4, 0.7), "lsgan_mnist": scored("lsgan_mnist", 8.0, 0.6, 0.6),
               "cgan_mnist": scored("cgan_mnist", 9.0, 0.7, 0.5)}
    text = vae_vs_gan.section(quality.ROWS, results, lambda name: f"quality/{name}.png", lambda dataset: None)
    mnist = text.split("### MNIST")[1].split("### Fashion-MNIST")[0]
    assert mnist.index("`lsgan_mnist`") < mnist.index("`cgan_mnist`") < mnist.index("`vae_mnist`")
    assert "| `vae_mnist` | VAE | 1 | 30.0 | 0.400 | 0.700 |" in mnist
    assert "(quality/vae_mnist.png)" in mnist and "(quality/lsgan_mnist.png)" in mnist and "cgan_mnist.png" not in mnist
    assert "The VAE row (`vae_fashion_mnist`) has not run yet" in text


def test_the_inpainting_figure_sets_the_models_beside_mean_fill_and_the_original(tmp_path):
    import numpy as np
    import quality_plots
    from PIL import Image

    from kerasgan.zoo import ContextEncoder

    assert quality_plots.inpainting_figure(str(tmp_path), str(tmp_path / "none.png")) is None  # no models yet
    for name in quality_plots.INPAINTING_ROWS:
        (tmp_path / name / "seed_0").mkdir(parents=True)
        ContextEncoder(image_shape=(28, 28, 1), filters=4, seed=0).save(tmp_path / name / "seed_0" / "model.keras")
    path = quality_plots.inpainting_figure(str(tmp_path), str(tmp_path / "inpainting.png"), count=3)
    grid = np.asarray(Image.open(path))
    # 3 rows of 5 columns (input, mean fill, L2 alone, the context encoder, original) of 28x28 images at scale 2
    assert grid.shape[0] >= 3 * 56 and grid.shape[1] >= 5 * 56 and grid.shape[1] < 6 * 56


def test_a_half_trained_run_resumes_from_its_checkpoint_and_its_time_adds_up(tmp_path, monkeypatch):
    from kerasgan import checkpoints

    run = tmp_path / "run"
    (run / "checkpoints" / "step-500").mkdir(parents=True)
    (run / "samples").mkdir()
    quality._write_ledger(str(run), 100.0, 1000.0)  # 100 s in earlier invocations; the last began at t = 1000
    os.utime(run / "checkpoints" / "step-500", (1300, 1300))  # ... and checkpointed at t = 1300
    monkeypatch.setattr(checkpoints, "latest", lambda directory: (str(run / "checkpoints" / "step-500"), {}))
    commands = []
    monkeypatch.setattr(quality.subprocess, "run", lambda command, **kwargs: commands.append(command) or subprocess_result(0))
    seconds = quality._train("dcgan_digits", 0, str(run), ["kerasgan", "train", "--flagfile=zoo/dcgan_digits.flags"])
    assert (run / "samples").exists() and commands[0][1:] == ["train", "--flagfile=zoo/dcgan_digits.flags"]
    assert 400 <= seconds < 410  # 100 + the 300 s up to the checkpoint + this invocation's
    assert quality._read_ledger(str(run)) == {"seconds": seconds, "started": None}
    assert quality._finished_training_seconds(str(run)) == seconds
    monkeypatch.setattr(checkpoints, "latest", lambda directory: None)  # no checkpoint: trained anew, from 0 s
    assert quality._train("dcgan_digits", 0, str(run), ["kerasgan", "train"]) < 10 and not (run / "samples").exists()


def subprocess_result(returncode):
    import subprocess

    return subprocess.CompletedProcess([], returncode)


def test_progan_is_set_beside_the_fixed_size_gans_and_text_to_image_reports_its_label_accuracy():
    scores = {"kid": 0.01, "precision": 0.5, "recall": 0.4}
    results = {
        "progan_mnist": [result("progan_mnist", 0, 15625, fid=9.0, **scores)],
        "dcgan_mnist_32": [result("dcgan_mnist_32", 0, 15625, fid=8.0, **scores)],
        "wgan_gp_mnist_32": [result("wgan_gp_mnist_32", 0, 15625, fid=12.0, **scores)],
        "gan_int_cls_mnist": [result("gan_int_cls_mnist", 0, 15625, fid=20.0, label_accuracy=0.9)],
    }
    floors = {"mnist_32": {"fid": 1.5, "kid": 0.0, "precision": 0.8, "recall": 0.8, "examples": 10000}}
    text = quality_tables.section(quality.ROWS, results, floors, "<b>", "<e>")
    assert "| ProGAN (grown from 4x4) | 0 | 15,625 | 9.0 |" in text
    assert "ProGAN 9.0 against the better fixed-size model, DCGAN (non-saturating) 8.0: **not lower**" in text
    assert "| GAN-INT-CLS | captioned MNIST | 0 | 15,625 | 20.0 | 0.900 |" in text
    assert quality._image_size(quality.ROWS["dcgan_mnist_32"]) == 32 and quality._image_size(quality.ROWS["progan_mnist"]) == 32
