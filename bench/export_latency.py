"""File sizes and per-image latency of a generator in Keras, SavedModel and TFLite (each quantization).

    python bench/export_latency.py --model_path=runs/dcgan_digits_<stamp>/model.keras

Prints a Markdown table (and writes it to --output): latency at batch 1 and per image at
batch 64, median of --repeats calls after --warmup, on this machine's CPU; parity is the
error against Keras on the same 64 latents, on the [-1, 1] scale.
"""
import os
import platform
import statistics
import tempfile
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("model_path", None, "A .keras file written by kerasgan train.", required=True)
flags.DEFINE_integer("repeats", 200, "Timed calls per measurement.")
flags.DEFINE_integer("warmup", 20, "Untimed calls before timing.")
flags.DEFINE_string("output", "bench/results/export_latency.md", "Where the Markdown table goes.")
flags.DEFINE_string("grid", "bench/results/export_grid.png", "Same 8 latents: one row per format.")


def median_ms(call, repeats, warmup):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def folder_size(path):
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


def main(argv):
    del argv
    import keras
    import numpy as np
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter
    from PIL import Image

    import kerasgan.zoo  # noqa: F401
    from kerasgan import export, plots

    model = keras.models.load_model(FLAGS.model_path)
    work = tempfile.mkdtemp(prefix="kerasgan-bench-")
    one, batch = model.serving_examples(1, seed=1)["z"], model.serving_examples(64, seed=2)["z"]
    expected = np.asarray(model.predict_on_batch(batch))

    rows = []
    grid_rows = [expected[:8]]

    def measure(name, size, run, parity=None):
        rows.append((name, size, median_ms(lambda: run(one), FLAGS.repeats, FLAGS.warmup),
                     median_ms(lambda: run(batch), FLAGS.repeats // 4, FLAGS.warmup // 4) / len(batch), parity))

    measure("Keras (`predict_on_batch`)", os.path.getsize(FLAGS.model_path), model.predict_on_batch)
    saved = export.saved_model(model, os.path.join(work, "saved_model"))
    signature = tf.saved_model.load(saved).signatures["serving_default"]
    measure("SavedModel (`serving_default`)", folder_size(saved), lambda z: signature(z=tf.constant(z)))
    for quantize in export.QUANTIZATIONS:
        path = export.tflite(model, os.path.join(work, f"{quantize or 'float32'}.tflite"), quantize=quantize)
        runner = Interpreter(model_path=path).get_signature_runner("serving_default")
        images = runner(z=batch)["images"]
        grid_rows.append(images[:8])
        error = np.abs(images - expected)
        measure(f"TFLite {quantize or 'float32'}", os.path.getsize(path), lambda z, r=runner: r(z=z),
                f"{error.max():.2g} / {error.mean():.2g}")

    lines = [
        f"Model: `{FLAGS.model_path}` ({type(model).__name__}, latent {model.latent_dim}, images "
        f"{'x'.join(map(str, model.sample_shape))}); CPU: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; median of {FLAGS.repeats} calls (batch 1) and {FLAGS.repeats // 4} (batch 64).",
        "",
        "| format | file size | latency, batch 1 | per image, batch 64 | max / mean abs error vs Keras |",
        "|---|---|---|---|---|",
    ]
    for name, size, single, per_image, parity in rows:
        lines.append(f"| {name} | {size / 1024:,.0f} KiB | {single:.2f} ms | {per_image:.3f} ms | {parity or '-'} |")
    lines.append("")
    lines.append(f"Rows of {FLAGS.grid}: Keras, then TFLite " + ", ".join(q or "float32" for q in export.QUANTIZATIONS) + ".")
    table = "\n".join(lines) + "\n"
    Image.fromarray(plots.image_grid(np.concatenate(grid_rows), columns=8)).resize(
        (2 * (8 * (model.sample_shape[1] + 2) + 2), 2 * (len(grid_rows) * (model.sample_shape[0] + 2) + 2)),
        Image.NEAREST,
    ).save(FLAGS.grid)
    os.makedirs(os.path.dirname(FLAGS.output) or ".", exist_ok=True)
    with open(FLAGS.output, "w") as handle:
        handle.write(table)
    print(table)


if __name__ == "__main__":
    app.run(main)
