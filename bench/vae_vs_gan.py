"""docs/vae_vs_gan.md's measured part: the VAE beside the GANs on MNIST and Fashion-MNIST, from the quality results.

Written by bench/quality.py with the rest of its tables: FID, precision and recall of every unconditional MNIST and
Fashion-MNIST row, the VAE's and the best GAN's samples side by side, and the VAE's reconstructions.
"""
import os

import numpy as np

BEGIN, END = "<!-- comparison: written by bench/quality.py -->", "<!-- end of comparison -->"
DATASETS = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
VAE_ROW = "vae_{dataset}"


def _mean(runs, key):
    return float(np.mean([run["scores"][key] for run in runs]))


def section(rows, results, figure_of, reconstructions_of):
    """The measured comparison; `figure_of(row)` links the row's seed-0 samples (or None), `reconstructions_of(dataset)`
    the VAE's reconstructions (or None)."""
    lines = [BEGIN]
    for dataset, title in DATASETS.items():
        # unconditional generators only: a conditional one (it has a label accuracy) is told which digit to draw
        names = [name for name, row in rows.items() if row.protocol == dataset and name in results
                 and "label_accuracy" not in results[name][0]["scores"]]
        vae = VAE_ROW.format(dataset=dataset)
        lines += ["", f"### {title}", ""]
        if vae not in names:
            lines += [f"The VAE row (`{vae}`) has not run yet: `python bench/quality.py --models={vae}`."]
            continue
        lines += [
            "| row | model | seeds | FID | precision | recall |",
            "|---|---|---|---|---|---|",
        ]
        for name in sorted(names, key=lambda name: _mean(results[name], "fid")):
            runs = results[name]
            lines.append(
                f"| `{name}` | {rows[name].label} | {len(runs)} | {_mean(runs, 'fid'):.1f} | "
                f"{_mean(runs, 'precision'):.3f} | {_mean(runs, 'recall'):.3f} |"
            )
        gans = [name for name in names if name != vae]
        best = min(gans, key=lambda name: _mean(results[name], "fid")) if gans else None
        lines += ["", "Means over the seeds of 10,000 samples against the 10,000 test images (the FID protocol of "
                  "[BENCHMARKS.md](../BENCHMARKS.md#sample-quality)). Precision: the share of samples that fall within "
                  "the real images' feature manifold; recall: the share of real images within the samples' (Kynkäänniemi "
                  "et al. 2019)."]
        pictures = [(f"VAE, `{vae}`", figure_of(vae))]
        if best:
            pictures.append((f"the best GAN row, `{best}` ({rows[best].label})", figure_of(best)))
        pictures.append(("the VAE's reconstructions of test images (odd columns: the image, even: its reconstruction)",
                         reconstructions_of(dataset)))
        lines += [""] + [f"![{caption}]({link})\n\n*{caption}*\n" for caption, link in pictures if link]
    return "\n".join(lines + [END])


def reconstructions_figure(runs, dataset, path, count=16):
    """The seed-0 VAE's reconstructions of the first `count` test images beside them; None without that model."""
    import keras

    import kerasgan.zoo  # noqa: F401  (registers the zoo classes for load_model)
    from kerasgan import data, plots

    model_path = os.path.join(runs, VAE_ROW.format(dataset=dataset), "seed_0", "model.keras")
    if not os.path.exists(model_path):
        return None
    model = keras.models.load_model(model_path)
    images = data.examples(dataset, "test", count)[0]
    pairs, _ = plots.side_by_side([images, model.reconstruct(images)])
    return plots.save_samples(pairs, path, scale=2, columns=count)  # two rows of count / 2 (image, reconstruction) pairs
