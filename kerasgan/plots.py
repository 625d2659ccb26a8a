"""Pictures made from models: sample grids, 2-D scatter plots and loss curves."""
import math
import os

import numpy as np
from PIL import Image

from kerasgan.images import to_uint8


def image_grid(images, columns=None, padding=2):
    """Tiles images in [-1, 1] of shape (n, H, W, C) into one uint8 array (rows x columns)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"image_grid takes (n, height, width, 1 or 3) images, got shape {images.shape}")
    count, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    pixels = np.asarray(to_uint8(images))
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels), 255, np.uint8
    )
    for index, image in enumerate(pixels):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid[..., 0] if channels == 1 else grid


IMAGES_PER_GRID = 64
POINTS_PER_SCATTER = 2500  # the mixture protocol's sample count


def sample_layout(model, num_images=None):
    """(count, columns) of a sample picture: 64 images or 2,500 points by default; a
    conditional model gets one column per class, a text-to-image model one per caption."""
    if num_images is None:
        num_images = POINTS_PER_SCATTER if len(model.sample_shape) == 1 else IMAGES_PER_GRID
    classes = getattr(model, "num_classes", None) or len(getattr(model, "captions", None) or ())  # a column per caption
    if not classes:
        return num_images, None
    return classes * max(1, round(num_images / classes)), classes


def picture(model, num_images=None, seed=0, examples=None):
    """(images, columns) of a model's sample picture: fixed-seed samples laid out by
    `sample_layout`, or, for a translator, its `translation_rows(examples)` side by side."""
    if hasattr(model, "translation_rows"):
        if examples is None:
            raise ValueError(f"{type(model).__name__} translates images: give a batch of examples to translate")
        return side_by_side(model.translation_rows(examples))
    count, columns = sample_layout(model, num_images)
    return model.generate(count, seed=seed), columns


def side_by_side(columns):
    """Interleaves equal-length image batches into rows (one per example), grey made RGB when
    any batch is colour; returns (images, number of columns) for `image_grid`."""
    columns = [np.asarray(images, dtype=np.float32) for images in columns]
    if any(images.shape[-1] == 3 for images in columns):
        columns = [np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images for images in columns]
    return np.stack(columns, axis=1).reshape((-1,) + columns[0].shape[1:]), len(columns)


def save_samples(samples, path, scale=1, columns=None):
    """Writes samples as a PNG: a grid for images, a scatter plot for 2-D points."""
    samples = np.asarray(samples)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    if samples.ndim == 2 and samples.shape[1] == 2:
        _save_scatter(samples, path)
        return path
    picture = Image.fromarray(image_grid(samples, columns))
    if scale != 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    picture.save(path)
    return path


def _save_scatter(points, path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(4, 4), dpi=100)
    axes.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5)
    axes.set_aspect("equal")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def save_decision_boundary(models, domains, path, resolution=200):
    """Plots the class regions of 2-D classifiers ({title: model}, or one model) over labelled
    points of each domain ({"source": (x, y), "target": (x, y)}): one panel per model; writes a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    models = models if isinstance(models, dict) else {"": models}
    points = np.concatenate([x for x, _ in domains.values()])
    low, high = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype("float32")
    figure, axes = pyplot.subplots(1, len(models), figsize=(4 * len(models), 4), dpi=100, squeeze=False)
    markers = {"source": "o", "target": "x"}
    for axis, (title, model) in zip(axes[0], models.items()):
        regions = np.argmax(model.predict(grid, batch_size=4096, verbose=0), axis=1).reshape(grid_x.shape)
        axis.contourf(grid_x, grid_y, regions, alpha=0.25, cmap="coolwarm")
        for role, (x, y) in domains.items():
            axis.scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", marker=markers.get(role, "."), s=14, label=role)
        axis.set_title(title)
        axis.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def save_loss_curve(history, path):
    """Plots every series of a Keras History.history dict against the epoch; writes a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 3.5), dpi=100)
    for name, values in history.items():
        if name.startswith("quality_"):  # scored every few epochs, on other scales: not losses
            continue
        axes.plot(range(1, len(values) + 1), values, label=name)
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path
