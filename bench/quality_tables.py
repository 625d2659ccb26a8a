"""The "## Sample quality" section of BENCHMARKS.md, from bench/quality.py's results: one table per protocol."""
import numpy as np

# Published rows beside ours (docs/protocols.md): (label, {score: value}, source).
ANCHORS = {
    "grid25": [
        ("GAN", {"modes": 17.3, "hq_fraction": 0.948}, "PacGAN, Table 1"),
        ("WGAN-GP", {"modes": 24.2, "hq_fraction": 0.287}, "GDPP, Table 1, in VEEGAN's setup"),
        ("PacGAN4, the target", {"modes": 24.8, "hq_fraction": 0.936}, "PacGAN, Table 1"),
    ],
    "ring8": [
        ("GAN", {"modes": 6.3, "hq_fraction": 0.982}, "PacGAN, Table 1"),
        ("PacGAN2", {"modes": 7.9, "hq_fraction": 0.956}, "PacGAN, Table 1"),
        ("PacGAN4, the target", {"modes": 7.8, "hq_fraction": 0.959}, "PacGAN, Table 1"),
    ],
}
# Lucic et al. 2018 (arXiv:1711.10337), Table 2: the best FID per model, mean and std (MNIST, Fashion-MNIST), as
# reproduced in Dai & Wipf 2019 (arXiv:1903.05789) and in the PA-GAN submission to ICLR 2019, which agree on every
# cell here; the paper's own table was not read.
LUCIC = {
    "mnist": {"MM GAN": (9.8, 0.9), "NS GAN": (6.8, 0.5), "LSGAN": (7.8, 0.6), "WGAN": (6.7, 0.4), "WGAN GP": (20.3, 5.0),
              "DRAGAN": (7.6, 0.4), "BEGAN": (13.1, 1.0)},
    "fashion_mnist": {"MM GAN": (29.6, 1.6), "NS GAN": (26.5, 1.6), "LSGAN": (30.7, 2.2), "WGAN": (21.5, 1.6),
                      "WGAN GP": (24.5, 2.1), "DRAGAN": (27.7, 1.2), "BEGAN": (22.9, 0.9)},
}
LUCIC_SOURCE = "Lucic et al. 2018, Table 2 (not verified in the paper: as reproduced in Dai & Wipf 2019)"
# Dai & Wipf 2019 (arXiv:1903.05789), Table 1, "VAE (cross-entr.)": a VAE with the cross-entropy (Bernoulli)
# reconstruction on the same neutral (InfoGAN) networks, default settings, not searched. Lucic et al.'s own VAE row
# could not be read, so the VAE is set beside this one.
DAI_WIPF_VAE = {"mnist": (16.6, 0.4), "fashion_mnist": (43.6, 0.7)}


def published_row(protocol, anchor):
    """(the published row's name, mean FID, std) that a row of `protocol` is set beside; (None, None, None) for a
    model with no row of its loss in their table (SNGAN's hinge loss)."""
    if anchor is None:
        return None, None, None
    if anchor == "VAE":
        return ("VAE (Dai & Wipf 2019, Table 1, cross-entropy)", *DAI_WIPF_VAE[protocol])
    return (anchor, *LUCIC[protocol][anchor])


# Ganin et al. 2016 (JMLR 17), Table 2, MNIST -> MNIST-M: source only, DANN, train on target; DANN closes 52.9 %.
GANIN, GANIN_SOURCE, GANIN_GAP = (0.5225, 0.7666, 0.9596), "Ganin et al. 2016, Table 2", 0.529
LUCIC_STEPS = 15_625
TITLES = {
    "grid25": "Mode coverage on grid25 (section 1)",
    "ring8": "Mode coverage on ring8 (section 1)",
    "digits": "Sample quality on digits (section 3)",
    "moons": "DANN on moons -> moons rotated by 30 degrees (section 2)",
    "digits_m": "DANN on digits -> digits_m (section 2)",
    "mnist_m": "DANN on MNIST -> MNIST-M beside Ganin et al. 2016 (section 2)",
    "colorization": "Pix2Pix on colorization (section 4)",
    "edges2photos": "Pix2Pix on edges -> photos (section 4)",
    "inpainting": "Context encoder: the central square of Fashion-MNIST filled in (section 4)",
    "super_resolution": "SRGAN: 4x super-resolution of held-out photo crops (section 4)",
    "mnist_captions": "GAN-INT-CLS: images drawn for held-out captions of MNIST (section 4)",
    "fashion_mnist_captions": "GAN-INT-CLS: images drawn for held-out captions of Fashion-MNIST (section 4)",
    "digits2digits_m": "CycleGAN on digits <-> digits_m (section 4)",
    "mnist2mnist_m": "CycleGAN on MNIST <-> MNIST-M (section 4)",
    "mnist": "FID on MNIST beside Lucic et al. 2018 (section 3)",
    "fashion_mnist": "FID on Fashion-MNIST beside Lucic et al. 2018 (section 3)",
    "fashion_mnist_small": "DiffAugment on 10 % of Fashion-MNIST (section 3)",
    "mnist_32": "ProGAN against DCGAN and WGAN-GP on MNIST at 32x32, equal images seen (section 3)",
    "fashion_mnist_32": "ProGAN against DCGAN and WGAN-GP on Fashion-MNIST at 32x32, equal images seen (section 3)",
}
FD_TARGET = 3.0  # the evaluation issue: FD within 3x the real-vs-real floor


def mean_std(values, scale=1.0, digits=2):
    """"mean +- std" of `values` over seeds (the value alone for one seed)."""
    values = np.asarray(values, dtype=float) * scale
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} +- {values.std():.{digits}f}"


def _scores(runs, key):
    return [run["scores"][key] for run in runs if key in run["scores"]]


def summary(result):
    """One line about a finished (row, seed)."""
    shown = {
        key: value for key, value in result["scores"].items()
        if isinstance(value, (int, float)) and key not in ("examples", "num_modes")
    }
    return ", ".join(f"{key} {value:.3g}" for key, value in list(shown.items())[:6]) + f", {result['generator_steps']} steps"


def references(rows, results, dataset_of, image_size_of, options_of):
    """{protocol: evaluation.reference_scores} for every protocol with results and a floor (real data scored as a
    model would be)."""
    from kerasgan import evaluation

    floors = {}
    for row in (rows[name] for name in results):
        if row.protocol in floors or row.protocol in ("moons", "digits_m", "mnist_m", "inpainting", "super_resolution",
                                                     "mnist_captions", "fashion_mnist_captions"):
            continue  # DANN's references are trained rows (source only, train on target); the others' baselines are in each result
        options = options_of(row)
        floors[row.protocol] = evaluation.reference_scores(
            dataset_of(row), options["split"], options["num_images"], image_size_of(row), options["seed"],
            feature_extractor=options.get("feature_extractor"),
        )
    return floors


def section(rows, results, floors, begin, end):
    """The whole section: an introduction, then one table per protocol that has results."""
    lines = [
        begin,
        "## Sample quality",
        "",
        "Written by `make bench-quality` (`python bench/quality.py`; `--models=...` and `--seeds=...` run a part, "
        "and a rerun skips the (row, seed) pairs already in bench/results/quality/). Each row trains a zoo recipe "
        "with `kerasgan train` on this 2-core CPU machine and scores the saved model with `kerasgan.evaluation.evaluate` "
        "(what `kerasgan evaluate` prints); the commands are under each table. Figures are mean +- std over the seeds "
        "shown. Floors score real data the way a model is scored (`evaluation.reference_scores`). Published rows "
        "trained far longer than these recipes; misses are reported as measured.",
    ]
    for protocol, title in TITLES.items():
        names = [name for name, row in rows.items() if row.protocol == protocol and name in results]
        if not names:
            continue
        table = {
            "grid25": _mixture_table, "ring8": _mixture_table, "digits": _digits_table, "moons": _dann_table,
            "digits_m": _dann_table, "mnist_m": _dann_table, "colorization": _pix2pix_table,
            "edges2photos": _pix2pix_table, "inpainting": _inpainting_table,
            "super_resolution": _super_resolution_table, "mnist_captions": _text_to_image_table,
            "fashion_mnist_captions": _text_to_image_table, "digits2digits_m": _cyclegan_table,
            "mnist2mnist_m": _cyclegan_table,
            "mnist": _real_image_table, "fashion_mnist": _real_image_table, "fashion_mnist_small": _small_data_table,
            "mnist_32": _progressive_table, "fashion_mnist_32": _progressive_table,
        }[protocol]
        lines += ["", f"### {title}", ""] + table(protocol, rows, names, results, floors.get(protocol))
        lines += ["", "Commands (seed 0; the other seeds change only `--seed` and the folders):", ""]
        for name in names:
            first = min(results[name], key=lambda run: run["seed"])
            lines.append(f"- {name}: `{first['train_command']}`, then `{first['evaluate_command']}`")
    missing = [name for name in rows if name not in results]
    if missing:
        lines += ["", f"Not run yet: {', '.join(missing)} (`python bench/quality.py --models=...`)."]
    return "\n".join(lines + [end])


def _head(runs):
    seeds = ", ".join(str(run["seed"]) for run in sorted(runs, key=lambda run: run["seed"]))
    minutes = np.mean([run["train_seconds"] for run in runs]) / 60
    return seeds, f"{runs[0]['generator_steps']:,}", f"{minutes:.1f}"


def _mixture_table(protocol, rows, names, results, floor):
    lines = [
        "| model | seeds | generator steps | modes | high-quality samples | reverse KL | minutes per seed |",
        "|---|---|---|---|---|---|---|",
    ]
    best = {"modes": 0.0, "hq_fraction": 0.0, "name": None}
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        modes, hq = np.mean(_scores(runs, "modes")), np.mean(_scores(runs, "hq_fraction"))
        if (modes, hq) > (best["modes"], best["hq_fraction"]):
            best = {"modes": modes, "hq_fraction": hq, "name": rows[name].label}
        lines.append(
            f"| {rows[name].label} | {seeds} | {steps} | {mean_std(_scores(runs, 'modes'), digits=1)} of "
            f"{runs[0]['scores']['num_modes']} | {mean_std(_scores(runs, 'hq_fraction'), 100, 1)} % | "
            f"{mean_std(_scores(runs, 'reverse_kl'), digits=3)} | {minutes} |"
        )
    lines.append(
        f"| real samples (floor) | | | {floor['modes']} | {100 * floor['hq_fraction']:.1f} % | {floor['reverse_kl']:.3f} | |"
    )
    for label, scores, source in ANCHORS[protocol]:
        lines.append(f"| published: {label} ({source}) | | | {scores['modes']} | {100 * scores['hq_fraction']:.1f} % | | |")
    target = ANCHORS[protocol][-1][1]
    met = best["modes"] >= target["modes"] and best["hq_fraction"] >= target["hq_fraction"]
    lines += [
        "",
        f"Target (PacGAN4's row): {target['modes']} modes and {100 * target['hq_fraction']:.1f} % high quality. "
        + (f"Best here: {best['name']}, {best['modes']:.1f} modes and {100 * best['hq_fraction']:.1f} %" if best["name"]
           else "No row captured a mode")
        + f": **{'met' if met else 'missed'}**.",
        "",
        "Against generator steps (mean over seeds, scored after every epoch on 2,500 samples):",
        "",
    ]
    lines += _trend(rows, names, results)
    profiles = [name for name in names if any(key.startswith("profile_") for key in results[name][0]["scores"])]
    for name in profiles:
        runs = results[name]
        keys = sorted(key for key in runs[0]["scores"] if key.startswith("profile_"))
        values = ", ".join(f"D{key.split('_')[1]} {mean_std(_scores(runs, key), digits=3)}" for key in keys)
        lines += ["", f"Ensemble profile of {rows[name].label} at the end (each discriminator's loss with its input "
                  f"noise, weakest first; a generator that fools them all raises every one): {values}."]
    return lines


def _trend(rows, names, results):
    """Modes / %HQ per epoch of every row: the trend where the budget runs out before the target."""
    epochs = max(len(results[name][0]["quality_history"].get("quality_modes", [])) for name in names)
    steps_per_epoch = {name: results[name][0]["generator_steps"] // max(1, len(
        results[name][0]["quality_history"].get("quality_modes", []))) for name in names}
    lines = ["| epoch | " + " | ".join(f"{rows[name].label}: modes, HQ %" for name in names) + " |"]
    lines.append("|---" * (len(names) + 1) + "|")
    for epoch in range(epochs):
        cells = []
        for name in names:
            histories = [run["quality_history"] for run in results[name]]
            if epoch >= len(histories[0].get("quality_modes", [])):
                cells.append("")
                continue
            modes = np.mean([history["quality_modes"][epoch] for history in histories])
            hq = np.mean([history["quality_hq_fraction"][epoch] for history in histories])
            cells.append(f"{modes:.1f}, {100 * hq:.1f} ({(epoch + 1) * steps_per_epoch[name]:,} steps)")
        lines.append(f"| {epoch + 1} | " + " | ".join(cells) + " |")
    return lines


def _digits_table(protocol, rows, names, results, floor):
    lines = [
        "| model | seeds | generator steps | FD | FD / floor | KID | precision | recall | label accuracy | minutes per seed |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| real train vs test (floor, {floor['examples']} vs {floor['examples']}) | | | {floor['frechet_distance']:.2f} | 1.0 "
        f"| {floor['kid']:.2f} | {floor['precision']:.2f} | {floor['recall']:.2f} | | |",
    ]
    verdicts = []
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        fd = _scores(runs, "frechet_distance")
        ratio = np.mean(fd) / floor["frechet_distance"]
        labels = mean_std(_scores(runs, "label_accuracy"), digits=3) if _scores(runs, "label_accuracy") else ""
        lines.append(
            f"| {rows[name].label} | {seeds} | {steps} | {mean_std(fd, digits=1)} | {ratio:.1f} | {mean_std(_scores(runs, 'kid'))} "
            f"| {mean_std(_scores(runs, 'precision'))} | {mean_std(_scores(runs, 'recall'))} | {labels} | {minutes} |"
        )
        verdicts.append(f"{rows[name].label} {'met' if ratio <= FD_TARGET else 'missed'}")
    lines += [
        "",
        f"Target: FD within {FD_TARGET:g}x the floor ({FD_TARGET * floor['frechet_distance']:.1f}) and CGAN label accuracy "
        f">= 0.90: {', '.join(verdicts)}. FD and KID are on the digits classifier's features (`kerasgan.metrics`), "
        "comparable only within this project; both shrink with more samples, so the floor uses as many images as the "
        "models (the 360 test digits against 360 of the train split).",
    ]
    return lines


def _real_image_table(protocol, rows, names, results, floor):
    """One line per recipe: FID at Lucic et al.'s 15,625 generator steps and at the recipe's own budget, beside
    their best FID for the model of the same loss; then the verdicts."""
    lines = [
        f"| model | {LUCIC_SOURCE}: their model, best FID | seeds | FID at {LUCIC_STEPS:,} steps | FID at the recipe's "
        "budget (steps) | KID x 1000 | precision / recall | label accuracy | minutes per seed | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| real train vs test (floor, {floor['examples']:,} vs {floor['examples']:,}) | | | {floor['fid']:.2f} | | "
        f"{1000 * floor['kid']:.2f} | {floor['precision']:.3f} / {floor['recall']:.3f} | | | |",
    ]
    best, verdicts = None, []
    for label in dict.fromkeys(rows[name].label for name in names):
        budgets = {_budget(results[name]): name for name in names if rows[name].label == label}
        at_lucic, own = budgets.pop(LUCIC_STEPS, None), next(iter(budgets.values()), None)
        shown = at_lucic or own
        row, runs = rows[shown], results[shown]
        anchor, their_mean, their_std = published_row(protocol, row.anchor)
        cells = [mean_std(_scores(results[at_lucic], "fid"), digits=1) if at_lucic else "not run"]
        shorter = any(row.protocol == protocol and row.label == label and not row.extra for row in rows.values())
        if own:
            cells.append(f"{mean_std(_scores(results[own], 'fid'), digits=1)} ({_budget(results[own]):,})")
        else:  # a recipe with a budget of its own has a row without extra flags; the others' budget is Lucic's
            cells.append("not run yet" if shorter else "the same")
        labels = mean_std(_scores(runs, "label_accuracy"), digits=3) if _scores(runs, "label_accuracy") else ""
        seeds, _, minutes = _head(runs)
        verdict = "not run at their budget"
        if at_lucic:
            ours = float(np.mean(_scores(results[at_lucic], "fid")))
            verdict = f"**{'met' if ours <= their_mean else 'missed'}**" if anchor else "no row of this loss"
            if best is None or ours < best[0]:
                best = (ours, row.label)
            verdicts += [f"{row.label} {verdict.strip('*')}"] if anchor else []
        their = f"{anchor}: {their_mean} +- {their_std}" if anchor else "–"
        lines.append(
            f"| {row.label} | {their} | {seeds} | {' | '.join(cells)} "
            f"| {mean_std(_scores(runs, 'kid'), scale=1000)} | {mean_std(_scores(runs, 'precision'), digits=3)} / "
            f"{mean_std(_scores(runs, 'recall'), digits=3)} | {labels} | {minutes} | {verdict} |"
        )
    their_best = min(LUCIC[protocol].items(), key=lambda item: item[1][0])
    lines += [
        "",
        "Their other rows: "
        + ", ".join(f"{model} {mean} +- {std}" for model, (mean, std) in LUCIC[protocol].items()
                    if model not in {rows[name].anchor for name in names}) + ".",
        "",
        f"Targets: each row at or below their best FID for the model of the same loss, at {LUCIC_STEPS:,} generator steps "
        f"({', '.join(verdicts) or 'none run'}); and the zoo's best row below the best of their table, {their_best[0]} "
        f"{their_best[1][0]}: "
        + (f"best here {best[1]} {best[0]:.1f}, **{'met' if best[0] < their_best[1][0] else 'missed'}**." if best else "not run."),
        "",
        "Protocol (Lucic et al.'s): FID of 10,000 samples against the 10,000 test images, pool_3 of the TF Inception "
        "graph (inception-2015-12-05), grey images tiled to 3 channels (resized bilinearly to 299x299 here); batch 64, z of "
        f"64, {LUCIC_STEPS:,} generator updates. Their networks are InfoGAN's. At their budget the DCGAN, least-squares, "
        "WGAN and CGAN rows use them too (`--filters=64 --dense_units=1024`: G is z -> FC 1024 -> FC 7x7x128 -> two "
        "transposed convolutions, D two strided convolutions -> FC 1024 -> logit; WGAN-GP's critic with layer norm in "
        "place of batch norm); EBGAN and the ensemble, and the short recipes' own budgets, use the recipes' networks "
        "without the dense layers. Each row has one set of hyperparameters, where their figure is the best of a search "
        "over many. Each row computes in the default precision (`precision=\"auto\"`: bfloat16 for DCGAN and "
        "WGAN-GP on a CPU with bfloat16 instructions, float32 elsewhere and for the others; a result's JSON names the "
        "precision and the CPU it ran on) unless its label says float32. The least-squares and CGAN "
        "recipes, and DCGAN at their budget, sample from an exponential moving average of G's weights "
        "(`--ema_decay=0.999`) with batch-norm statistics of its own (`GAN.recompute_average_statistics`); their "
        "figures are plain G's. The VAE (on the same networks, Bernoulli reconstruction) is set beside the VAE of Dai & "
        "Wipf 2019 (Table 1, cross-entropy, the same networks, default settings); Lucic et al.'s VAE row was not read.",
    ]
    return lines


def _fid_lines(rows, names, results, floor, steps_heading):
    """The table head, the floor's line and one line per row of FID, KID and precision / recall; and each row's mean
    FID by name."""
    lines = [
        f"| model | seeds | {steps_heading} | FID | KID x 1000 | precision / recall | minutes per seed |",
        "|---|---|---|---|---|---|---|",
        f"| real train vs test (floor, {floor['examples']:,} vs {floor['examples']:,}) | | | {floor['fid']:.2f} | "
        f"{1000 * floor['kid']:.2f} | {floor['precision']:.3f} / {floor['recall']:.3f} | |",
    ]
    fid = {}
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        fid[name] = float(np.mean(_scores(runs, "fid")))
        lines.append(
            f"| {rows[name].label} | {seeds} | {steps} | {mean_std(_scores(runs, 'fid'), digits=1)} | "
            f"{mean_std(_scores(runs, 'kid'), scale=1000)} | {mean_std(_scores(runs, 'precision'), digits=3)} / "
            f"{mean_std(_scores(runs, 'recall'), digits=3)} | {minutes} |"
        )
    return lines, fid


def _small_data_table(protocol, rows, names, results, floor):
    """DiffAugment against the same recipe without it, trained on a tenth of Fashion-MNIST (Zhao et al. 2020's
    small-data setting) and scored against the whole test split."""
    lines, fid = _fid_lines(rows, names, results, floor, "generator steps")
    augmented = [name for name in names if "--diff_augment" in " ".join(rows[name].extra)]
    plain = [name for name in names if name not in augmented]
    verdict = "not both run yet"
    if augmented and plain:
        verdict = f"{fid[augmented[0]]:.1f} against {fid[plain[0]]:.1f}: **{'met' if fid[augmented[0]] < fid[plain[0]] else 'missed'}**"
    lines += ["", f"Target: DiffAugment lowers the FID of the same recipe on the small set: {verdict}. Both rows are "
              f"DCGAN at Lucic et al.'s budget ({LUCIC_STEPS:,} generator steps of 64, InfoGAN's networks, sampling from G's "
              "average) on the first 6,000 training images (`--num_samples=6000`, 10 %), about 167 passes over them; "
              "FID of 10,000 samples against the 10,000 test images."]
    return lines


def _text_to_image_table(protocol, rows, names, results, floor):
    """One line per captioned set: FID of the images drawn for the held-out test captions and, on MNIST, the share
    the MNIST classifier gives the caption's class. Reed et al. 2016 report no figures on these sets."""
    lines = [
        "| model | data | seeds | generator updates | FID | label accuracy | minutes per seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        labels = mean_std(_scores(runs, "label_accuracy"), digits=3) if _scores(runs, "label_accuracy") else "–"
        lines.append(f"| {rows[name].label} | {TITLE_OF[protocol]} | {seeds} | {steps} | {mean_std(_scores(runs, 'fid'), digits=1)} | "
                     f"{labels} | {minutes} |")
    lines += ["", "One image per test caption (10,000; the test split's captions use word orders no training caption "
              "uses), FID against the 10,000 test images (pool_3 of the TF Inception graph); label accuracy: the MNIST "
              "classifier of docs/protocols.md (0.9928 on the real test images, bench/results/classifiers.json) on the "
              "images drawn for the MNIST captions, against the class each caption names (chance 0.1). There is no "
              "published row on these captions."]
    return lines


def _progressive_table(protocol, rows, names, results, floor):
    """ProGAN against the fixed-size GANs on the same data at 32x32 and the same number of generator updates of 64
    images (Karras et al. 2018 compare at equal training time; a CPU run compares at equal images)."""
    lines, by_name = _fid_lines(rows, names, results, floor, "generator updates of 64")
    fid = {rows[name].label: value for name, value in by_name.items()}
    grown = [label for label in fid if label.startswith("ProGAN")]
    fixed = {label: value for label, value in fid.items() if label not in grown}
    verdict = "not all run yet"
    if grown and fixed:
        best = min(fixed, key=fixed.get)
        verdict = (f"ProGAN {fid[grown[0]]:.1f} against the better fixed-size model, {best} {fixed[best]:.1f}: "
                   f"**{'lower' if fid[grown[0]] < fixed[best] else 'not lower'}**")
    lines += ["", f"{verdict}. FID of 10,000 samples against the 10,000 test images resized to 32x32 (bilinear, as the "
              "training data), pool_3 of the TF Inception graph. DCGAN and WGAN-GP run their Lucic-budget rows' flags at "
              "32x32; ProGAN's recipe grows 4x4 -> 32x32 within the same budget (docs/models/progan.md)."]
    return lines


def _budget(runs):
    """The generator steps of a row's runs (the same for every seed)."""
    return runs[0]["generator_steps"]


def _dann_table(protocol, rows, names, results, floor):
    lines = ["| model | seeds | target accuracy | minutes per seed |", "|---|---|---|---|"]
    accuracy = {}
    for name in names:
        runs = results[name]
        seeds, _, minutes = _head(runs)
        accuracy[name] = _scores(runs, "class_accuracy")
        lines.append(f"| {rows[name].label} | {seeds} | {mean_std(_scores(runs, 'class_accuracy'), digits=3)} | {minutes} |")
    if protocol == "moons":
        lines += [
            "| published: source only, DANN (adapt library example, one seed) | | 0.84, 0.94 | |",
            "",
            "Target: DANN >= 0.95 in every seed"
            + (f" (lowest {min(accuracy['dann_moons']):.2f}): **{'met' if min(accuracy['dann_moons']) >= 0.95 else 'missed'}**."
               if "dann_moons" in accuracy else "."),
        ]
        return lines
    source, dann, target = GANIN
    lines.append(f"| published MNIST -> MNIST-M ({GANIN_SOURCE}): source only, DANN, train on target | | {source}, {dann}, "
                 f"{target} (gap closed {100 * GANIN_GAP:.1f} % as the paper states it) | |")
    wanted = (f"dann_{protocol}", f"dann_{protocol}_source_only", f"dann_{protocol}_on_target")
    if all(name in accuracy for name in wanted):
        lines += ["", _gap_closed(protocol, rows, [results[name] for name in wanted])]
    sturdy = f"dann_{protocol}_sturdy"
    if protocol == "mnist_m" and sturdy in accuracy:
        sturdy_mean = np.mean(accuracy[sturdy])
        lines.append(f"\nTarget: the zoo's best DANN recipe >= 0.90: {rows[sturdy].label} "
                     f"{sturdy_mean:.3f}, **{'met' if sturdy_mean >= 0.90 else 'missed'}**.")
    return lines


def _gap_closed(protocol, rows, runs):
    """The share of the gap between source only and train on target that DANN closes, and its target:
    on MNIST-M every seed at the paper's DANN accuracy and share; on digits_m the mean at half the gap."""
    dann, source, target = ({run["seed"]: run["scores"]["class_accuracy"] for run in row} for row in runs)
    mean = {name: np.mean(list(values.values())) for name, values in zip(("dann", "source", "target"), (dann, source, target))}
    closed = (mean["dann"] - mean["source"]) / (mean["target"] - mean["source"])
    if protocol != "mnist_m":
        return f"Gap closed: {100 * closed:.1f} % (target >= 50 %: **{'met' if closed >= 0.5 else 'missed'}**)."
    _, published, _ = GANIN
    seeds = sorted(set(dann) & set(source) & set(target))
    each = {seed: (dann[seed] - source[seed]) / (target[seed] - source[seed]) for seed in seeds}
    met = all(dann[seed] >= published and each[seed] >= GANIN_GAP for seed in seeds)
    per_seed = ", ".join(f"seed {seed}: {dann[seed]:.3f}, {100 * each[seed]:.1f} %" for seed in seeds)
    return (f"Gap closed: {100 * closed:.1f} % of the mean gap ({per_seed}). Target, every seed: DANN >= {published} and >= "
            f"{100 * GANIN_GAP:.1f} % of the gap: **{'met' if met else 'missed'}**. The MNIST-M backgrounds here are cut "
            "from packaged photos, not from BSDS500 as the paper's.")


def _pix2pix_table(protocol, rows, names, results, floor):
    lines = [
        "| model | seeds | generator steps | L1 | PSNR (dB) | SSIM | FID | minutes per seed |",
        "|---|---|---|---|---|---|---|---|",
        f"| the input itself (baseline) | | | {floor['l1']:.4f} | {floor['psnr']:.2f} | {floor['ssim']:.3f} | | |",
    ]
    verdicts = []
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        lines.append(
            f"| {rows[name].label} | {seeds} | {steps} | {mean_std(_scores(runs, 'l1'), digits=4)} | "
            f"{mean_std(_scores(runs, 'psnr'))} | {mean_std(_scores(runs, 'ssim'), digits=3)} | "
            f"{mean_std(_scores(runs, 'fid'), digits=1) if _scores(runs, 'fid') else '–'} | {minutes} |"
        )
        beaten = [
            np.mean(_scores(runs, "l1")) < floor["l1"], np.mean(_scores(runs, "psnr")) > floor["psnr"],
            np.mean(_scores(runs, "ssim")) > floor["ssim"],
        ]
        verdicts.append(f"{rows[name].label} **{'met' if all(beaten) else 'missed'}** (L1, PSNR, SSIM beaten: "
                        f"{', '.join('yes' if b else 'no' for b in beaten)})")
    examples = results[names[0]][0]["scores"]["examples"]
    lines += ["", f"Target: beat the input on L1, PSNR and SSIM: {'; '.join(verdicts)}. FID: the Inception FID of the "
              f"translations of the {examples:,} test inputs against their targets. The U-Net on L1 alone is Pix2Pix's "
              "recipe with `--adversarial_weight=0`, the paper's \"L1\" ablation. The pix2pix paper's anchor "
              "(Cityscapes FCN accuracy, Table 1) is another task."]
    return lines


def _inpainting_table(protocol, rows, names, results, floor):
    """Hole L1 and PSNR of each row beside mean-fill (each image's hole filled with its mean known pixel)."""
    baseline = results[names[0]][0]["scores"]
    lines = [
        "| model | seeds | generator steps | L1 in the hole | PSNR in the hole (dB) | minutes per seed |",
        "|---|---|---|---|---|---|",
        f"| mean-fill (baseline) | | | {baseline['mean_fill_hole_l1']:.4f} | {baseline['mean_fill_hole_psnr']:.2f} | |",
    ]
    verdicts = []
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        l1, psnr = _scores(runs, "hole_l1"), _scores(runs, "hole_psnr")
        lines.append(f"| {rows[name].label} | {seeds} | {steps} | {mean_std(l1, digits=4)} | {mean_std(psnr)} | {minutes} |")
        beaten = np.mean(l1) < baseline["mean_fill_hole_l1"] and np.mean(psnr) > baseline["mean_fill_hole_psnr"]
        verdicts.append(f"{rows[name].label} **{'met' if beaten else 'missed'}**")
    examples = baseline["examples"]
    lines += ["", f"Target: beat mean-fill on both scores: {'; '.join(verdicts)}. Scores over the hole only, pixels in "
              f"[0, 1], per image then averaged over the {examples:,} test images; the rest of each image is the "
              "input's by construction. The L2 row is the same recipe with `--adversarial_weight=0`, Pathak et al.'s "
              "reconstruction-only context encoder: the adversarial term is there for sharpness, which these two "
              "scores do not reward."]
    return lines


def _super_resolution_table(protocol, rows, names, results, floor):
    """PSNR, SSIM and FID of each row beside bicubic upscaling; SRGAN's FID against SRResNet's."""
    baseline = results[names[0]][0]["scores"]
    lines = [
        "| model | seeds | generator steps | PSNR (dB) | SSIM | FID | minutes per seed |",
        "|---|---|---|---|---|---|---|",
        f"| bicubic (baseline) | | | {baseline['bicubic_psnr']:.2f} | {baseline['bicubic_ssim']:.3f} | "
        f"{baseline['bicubic_fid']:.1f} | |",
    ]
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        lines.append(
            f"| {rows[name].label} | {seeds} | {steps} | {mean_std(_scores(runs, 'psnr'))} | "
            f"{mean_std(_scores(runs, 'ssim'), digits=3)} | {mean_std(_scores(runs, 'fid'), digits=1)} | {minutes} |"
        )
    verdicts = []
    if "srresnet_photos" in results:
        psnr = np.mean(_scores(results["srresnet_photos"], "psnr"))
        verdicts.append(f"SRResNet's PSNR above bicubic's: **{'met' if psnr > baseline['bicubic_psnr'] else 'missed'}**")
    if "srresnet_photos" in results and "srgan_photos" in results:
        fids = [np.mean(_scores(results[name], "fid")) for name in ("srgan_photos", "srresnet_photos")]
        verdicts.append(f"SRGAN's FID below SRResNet's: **{'met' if fids[0] < fids[1] else 'missed'}**")
    examples = baseline["examples"]
    lines += ["", f"Targets, the paper's two findings: {'; '.join(verdicts) or 'none measured yet'}. The {examples:,} test "
              "inputs are 16x16 bicubic shrinks of 64x64 crops of photos no training crop comes from; PSNR and SSIM "
              "against the originals (pixels in [0, 1]), FID of the upscaled set against the originals. The paper "
              "trains on ImageNet and scores by human opinion (MOS): its tables are not comparable."]
    return lines


CYCLEGAN = {  # protocol: (domain A, domain B, label preservation target both ways)
    "digits2digits_m": ("digits", "digits_m", 0.80), "mnist2mnist_m": ("MNIST", "MNIST-M", 0.95),
}


def _cyclegan_table(protocol, rows, names, results, floor):
    domain_a, domain_b, target = CYCLEGAN[protocol]
    fid = protocol == "mnist2mnist_m"
    extra = " FID A -> B | FID B -> A |" if fid else ""
    blank = " | |" if fid else ""
    lines = [
        f"| model | seeds | generator steps | {domain_a} -> {domain_b} | {domain_b} -> {domain_a} |{extra} minutes per seed |",
        "|---|---|---|---|---|" + ("---|---|" if fid else "") + "---|",
        f"| no translation (the input judged as the other domain) | | | {floor['untranslated_a_to_b']:.3f} | "
        f"{floor['untranslated_b_to_a']:.3f} |{blank} |",
        f"| real images of the output domain | | | {floor['real_b']:.3f} | {floor['real_a']:.3f} |{blank} |",
    ]
    verdicts = []
    for name in names:
        runs = results[name]
        seeds, steps, minutes = _head(runs)
        a_to_b, b_to_a = _scores(runs, "label_preservation_a_to_b"), _scores(runs, "label_preservation_b_to_a")
        scores = f"{mean_std(a_to_b, digits=3)} | {mean_std(b_to_a, digits=3)}"
        if fid:
            scores += f" | {mean_std(_scores(runs, 'fid_a_to_b'), digits=1)} | {mean_std(_scores(runs, 'fid_b_to_a'), digits=1)}"
        lines.append(f"| {rows[name].label} | {seeds} | {steps} | {scores} | {minutes} |")
        met = min(np.mean(a_to_b), np.mean(b_to_a)) >= target
        verdicts.append(f"{rows[name].label} **{'met' if met else 'missed'}**")
    lines += ["", "Label preservation: the share of translations the output domain's classifier reads as the "
              f"input's digit. Target >= {target:.2f} both ways: {'; '.join(verdicts)}."]
    if fid:
        lines[-1] += (" FID: Inception FID of the translations of each domain's first 1,000 test images against the "
                      "output domain's first 1,000 test images (renderings of the same digits).")
    return lines


TITLE_OF = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "mnist_32": "MNIST at 32x32",
            "fashion_mnist_32": "Fashion-MNIST at 32x32", "mnist_captions": "captioned MNIST",
            "fashion_mnist_captions": "captioned Fashion-MNIST"}
README_BEGIN, README_END = "<!-- results table: written by bench/quality.py -->", "<!-- end of results table -->"


def readme_table(rows, results, floors):
    """The README's results: each recipe's FID on MNIST and Fashion-MNIST at Lucic et al.'s budget beside their
    best FID for the model of the same loss, and DANN on MNIST -> MNIST-M beside Ganin et al."""
    at_budget = {}  # (label, dataset) -> runs at LUCIC_STEPS
    for name, runs in results.items():
        row = rows[name]
        if row.protocol in LUCIC and _budget(runs) == LUCIC_STEPS:
            at_budget[(row.label, row.protocol)] = (row.anchor, runs)
    lines = [README_BEGIN]
    if at_budget:
        lines += [
            "| model | MNIST FID | Lucic et al.: their model, best FID | Fashion-MNIST FID | Lucic et al. |",
            "|---|---|---|---|---|",
        ]
    else:
        lines.append("The MNIST and Fashion-MNIST rows are not run yet (`make bench-quality`).")
    for label in dict.fromkeys(label for label, _ in at_budget):
        cells = []
        for dataset in LUCIC:
            anchor, runs = at_budget.get((label, dataset), (None, None))
            if runs is None:
                cells += ["not run yet", "–"]
                continue
            their, mean, std = published_row(dataset, anchor)
            cells += [f"{mean_std(_scores(runs, 'fid'), digits=1)} ({_count(runs)})", f"{their} {mean} +- {std}" if their else "–"]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    if at_budget:
        floor = ", ".join(f"{floors[dataset]['fid']:.2f} on {TITLE_OF[dataset]}" for dataset in LUCIC if dataset in floors)
        lines += ["", (
            f"FID of 10,000 samples against the 10,000 test images after {LUCIC_STEPS:,} generator steps (batch 64, z of "
            "64), mean +- std over seeds, each recipe one setting; their figure is the best of a hyperparameter search "
            f"(Table 2, not verified in the paper: as reproduced in Dai & Wipf 2019). Real against real (the train "
            f"split): {floor}."
        )]
    dann = results.get("dann_mnist_m")
    if dann:
        lines += ["",
            f"DANN from MNIST to MNIST-M with the paper's networks and schedules: target accuracy "
            f"{mean_std(_scores(dann, 'class_accuracy'), digits=3)} ({_count(dann)}), against {GANIN[1]} in "
            f"{GANIN_SOURCE} (MNIST-M's backgrounds here come from other photos than BSDS500)."
        ]
    lines += ["", "Written by `make bench-quality`; [BENCHMARKS.md](BENCHMARKS.md#sample-quality) has every row and command."]
    return "\n".join(lines + [README_END])


def _count(runs):
    """'1 seed', '3 seeds'."""
    return f"{len(runs)} seed{'s' if len(runs) > 1 else ''}"


PAGE_BEGIN, PAGE_END = "<!-- real-data rows: written by bench/quality.py -->", "<!-- end of real-data rows -->"


def page_rows(rows):
    """{model page: the names of the rows it shows}."""
    found = {}
    for name, row in rows.items():
        if row.page:
            found.setdefault(row.page, []).append(name)
    return found


def page_section(rows, results, names, figure_of):
    """A model page's rows on MNIST and Fashion-MNIST: FID beside Lucic et al.'s model of the same loss, and the
    samples of seed 0; `figure_of(name)` is the picture's link from the page, or None."""
    lines = [
        PAGE_BEGIN,
        "### MNIST and Fashion-MNIST",
        "",
        "| row | model | data | generator steps | seeds | FID | FID of G itself (no average) | Lucic et al.: their model, "
        "best FID | minutes per seed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        row, runs = rows[name], results.get(name)
        their = "{} {} +- {}".format(*published_row(row.protocol, row.anchor)) if row.anchor else "–"
        if not runs:
            lines.append(f"| `{name}` | {row.label} | {TITLE_OF[row.protocol]} | | – | not run yet | | {their} | |")
            continue
        trained = [run["scores"]["without_average"]["fid"] for run in runs if "without_average" in run["scores"]]
        seeds, _, minutes = _head(runs)
        lines.append(
            f"| `{name}` | {row.label} | {TITLE_OF[row.protocol]} | {_budget(runs):,} | {seeds} | "
            f"{mean_std(_scores(runs, 'fid'), digits=1)} | {mean_std(trained, digits=1) if trained else ''} | {their} "
            f"| {minutes} |"
        )
    lines += ["", (
        "FID of 10,000 samples against the 10,000 test images, mean +- std over seeds (Lucic et al.'s protocol; their "
        f"figures: {LUCIC_SOURCE}). Each row's command and the other models are in "
        "[BENCHMARKS.md](../../BENCHMARKS.md#sample-quality); `make bench-quality` writes this table."
    )]
    pictures = [(name, figure_of(name)) for name in names if figure_of(name)]
    if pictures:
        lines.append("")
        lines += [f"![{rows[name].label} on {TITLE_OF[rows[name].protocol]}, seed 0]({link})" for name, link in pictures]
    return "\n".join(lines + [PAGE_END])
