"""The results pages' figures: each MLP GAN option's final samples on a mixture, with modes / %HQ against generator
steps; the super-resolution comparison."""
import os

import numpy as np


def mixture_figure(rows, results, runs, protocol, path):
    """Top: 2,500 samples (seed 0) of each row's seed-0 model over the mixture's means; bottom: the trend over
    epochs, mean over seeds. Rows whose model file is gone keep their trend and lose their panel."""
    import keras
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    import kerasgan.zoo  # noqa: F401  (registers the zoo classes for load_model)
    from kerasgan.data import offline

    names = [name for name, row in rows.items() if row.protocol == protocol and name in results]
    means = offline.mixture_means(protocol)
    figure = pyplot.figure(figsize=(3 * max(len(names), 2), 6.4), dpi=100)
    grid = figure.add_gridspec(2, max(len(names), 2))
    for index, name in enumerate(names):
        model_path = os.path.join(runs, name, "seed_0", "model.keras")
        if not os.path.exists(model_path):
            continue
        samples = keras.models.load_model(model_path).generate(2500, seed=0)
        axis = figure.add_subplot(grid[0, index])
        axis.scatter(samples[:, 0], samples[:, 1], s=1, alpha=0.4)
        axis.scatter(means[:, 0], means[:, 1], s=12, c="red", marker="x")
        limit = 1.5 * np.abs(means).max()
        axis.set_xlim(-limit, limit)
        axis.set_ylim(-limit, limit)
        axis.set_aspect("equal")
        axis.set_title(rows[name].label, fontsize=9)
    half = max(len(names), 2) // 2
    for position, (key, label, scale) in enumerate(
        (("quality_modes", "modes captured", 1), ("quality_hq_fraction", "high-quality samples (%)", 100))
    ):
        axis = figure.add_subplot(grid[1, position * half : (position + 1) * half or None])
        for name in names:
            histories = [run["quality_history"][key] for run in results[name] if key in run["quality_history"]]
            if not histories:
                continue
            length = min(map(len, histories))
            steps_per_epoch = results[name][0]["generator_steps"] / len(histories[0])
            curve = scale * np.mean([history[:length] for history in histories], axis=0)
            axis.plot(steps_per_epoch * np.arange(1, length + 1), curve, marker="o", markersize=3, label=rows[name].label)
        axis.set_xlabel("generator steps")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


SUPER_RESOLUTION_ROWS = ("srresnet_photos", "srgan_photos")
INPAINTING_ROWS = ("context_encoder_fashion_mnist_l2", "context_encoder_fashion_mnist")


def inpainting_figure(runs, path, count=8):
    """Rows of held-out Fashion-MNIST images: the input with its hole in white | mean fill | L2 alone | the context
    encoder | the original, from the seed-0 models of INPAINTING_ROWS; None when one of them is missing."""
    import keras

    import kerasgan.zoo  # noqa: F401  (registers the zoo classes for load_model)
    from kerasgan import data, plots
    from kerasgan.metrics.inpainting import mean_fill

    paths = [os.path.join(runs, name, "seed_0", "model.keras") for name in INPAINTING_ROWS]
    if not all(os.path.exists(model_path) for model_path in paths):
        return None
    models = [keras.models.load_model(model_path) for model_path in paths]
    real = data.examples("fashion_mnist", "test", count)[0]
    hole = models[0].masks_for(count)
    columns = [np.where(hole > 0, 1.0, real), mean_fill(real, hole), *(model.inpaint(real, hole) for model in models), real]
    images, width = plots.side_by_side(columns)
    return plots.save_samples(images, path, scale=2, columns=width)


def super_resolution_figure(runs, path, count=6):
    """Rows of held-out crops: input (enlarged by repeating pixels) | bicubic | SRResNet | SRGAN | original, from
    the seed-0 models of SUPER_RESOLUTION_ROWS; None when one of them is missing."""
    import keras

    import kerasgan.zoo  # noqa: F401  (registers the zoo classes for load_model)
    from kerasgan import data, plots
    from kerasgan.zoo.srgan import bicubic

    paths = [os.path.join(runs, name, "seed_0", "model.keras") for name in SUPER_RESOLUTION_ROWS]
    if not all(os.path.exists(model_path) for model_path in paths):
        return None
    models = [keras.models.load_model(model_path) for model_path in paths]
    low, high = data.examples("super_resolution", "test", count, paired=True)
    factor = models[0].upscale_factor
    enlarged = np.repeat(np.repeat(low, factor, axis=1), factor, axis=2)
    columns = [enlarged, bicubic(low, factor), *(model.upscale(low) for model in models), high]
    images, width = plots.side_by_side(columns)
    return plots.save_samples(images, path, scale=2, columns=width)
