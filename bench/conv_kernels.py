"""Where a bfloat16 training step spends its time: the three kernels of each DCGAN 32x32 layer, float32 against bfloat16.

    python bench/conv_kernels.py          # part of make bench

A training step runs three kernels per convolution: the forward pass, the gradient with
respect to the input (backprop-input) and the gradient with respect to the kernel
(backprop-filter). Each is timed alone here, as TensorFlow runs it on this CPU (oneDNN), on the
shapes of kerasgan's DCGAN at 32x32x1, batch 64, filters 64 (kerasgan/networks/dcgan.py). The
ratio says how much bfloat16 buys per kernel. The kernel gradient is also timed as kerasgan's
layers compute it in bfloat16 (kerasgan.convolutions.kernel_gradient, a forward convolution). Writes bench/results/conv_kernels.json and the
"## Convolution kernels" section of BENCHMARKS.md.
"""
import os
import time

import flops
import numpy as np
import sections
import tensorflow as tf
from absl import app, flags

from kerasgan import convolutions

FLAGS = flags.FLAGS
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- conv_kernels:begin (written by bench/conv_kernels.py) -->", "<!-- conv_kernels:end -->"
BATCH, KERNEL = 64, 4
# (network, kind, input side, input channels, output channels) of DCGAN 32x32x1, filters 64: every stride is 2
LAYERS = (
    ("discriminator", "conv", 32, 1, 64),
    ("discriminator", "conv", 16, 64, 128),
    ("discriminator", "conv", 8, 128, 256),
    ("generator", "transposed", 4, 256, 128),
    ("generator", "transposed", 8, 128, 64),
    ("generator", "transposed", 16, 64, 1),
)
KERNELS = ("forward", "backprop_input", "backprop_filter")
DTYPES = ("float32", "bfloat16", "kerasgan")  # kerasgan: bfloat16 through kerasgan.convolutions' layers


def define_flags():
    flags.DEFINE_integer("repeats", 50, "Timed calls per kernel and precision (after 5 warm-up calls); the median is reported.")
    flags.DEFINE_string("results", os.path.join(ROOT, "bench/results/conv_kernels.json"), "The JSON of the timings.")
    flags.DEFINE_string("markdown", os.path.join(ROOT, "BENCHMARKS.md"), "The Markdown file whose section is rewritten.")


def kernels(kind, side, channels_in, channels_out):
    """The three kernels of one stride-2 layer as functions of no argument, on random tensors, for each dtype."""
    small, large = side, side // 2  # a convolution halves the side, a transposed one doubles it
    if kind == "transposed":  # a transposed convolution is a convolution's backprop-input: the roles swap
        small, large = side * 2, side
        channels_in, channels_out = channels_out, channels_in
    strides = [1, 2, 2, 1]
    shapes = {"x": (BATCH, small, small, channels_in), "w": (KERNEL, KERNEL, channels_in, channels_out),
              "y": (BATCH, large, large, channels_out)}
    made = {}
    for dtype in (tf.float32, tf.bfloat16):
        x, w, y = (tf.cast(tf.random.normal(shapes[name]), dtype) for name in ("x", "w", "y"))
        convolution = {
            "forward": tf.function(lambda x=x, w=w: tf.nn.conv2d(x, w, strides, "SAME")),
            "backprop_input": tf.function(lambda y=y, w=w: tf.raw_ops.Conv2DBackpropInput(
                input_sizes=shapes["x"], filter=w, out_backprop=y, strides=strides, padding="SAME")),
            "backprop_filter": tf.function(lambda x=x, y=y: tf.raw_ops.Conv2DBackpropFilter(
                input=x, filter_sizes=shapes["w"], out_backprop=y, strides=strides, padding="SAME")),
        }
        if kind == "transposed":  # its forward is the convolution's backprop-input and the other way round
            convolution["forward"], convolution["backprop_input"] = convolution["backprop_input"], convolution["forward"]
        made[dtype.name] = convolution
    made["kerasgan"] = dict(made["bfloat16"])
    made["kerasgan"]["backprop_filter"] = tf.function(lambda x=x, y=y: convolutions.kernel_gradient(
        x, y, (KERNEL, KERNEL), (2, 2), "same"))  # x, y: the bfloat16 tensors of the loop's last pass
    return made


def median_ms(function, repeats):
    for _ in range(5):
        function().numpy()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function().numpy()
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


def table(rows):
    lines = [
        "| network | layer | kernel | float32 ms | bfloat16 ms | float32 ÷ bfloat16 | bfloat16 ms, kerasgan's layers "
        "| float32 ÷ kerasgan's bfloat16 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        layer = f"{row['kind']} {row['channels_in']}->{row['channels_out']} at {row['side']}x{row['side']}"
        lines.append(
            f"| {row['network']} | {layer} | {row['kernel']} | {row['float32_ms']:.2f} | {row['bfloat16_ms']:.2f} "
            f"| **{row['float32_ms'] / row['bfloat16_ms']:.2f}** | {row['kerasgan_ms']:.2f} "
            f"| **{row['float32_ms'] / row['kerasgan_ms']:.2f}** |"
        )
    totals = {kernel: [sum(row[f"{dtype}_ms"] for row in rows if row["kernel"] == kernel) for dtype in DTYPES] for kernel in KERNELS}
    lines += ["", "Summed over the layers, float32 against bfloat16 and kerasgan's bfloat16: " + "; ".join(
        f"{kernel} {f32:.1f} ms against {bf16:.1f} ms (**{f32 / bf16:.2f}x**) and {ours:.1f} ms (**{f32 / ours:.2f}x**)"
        for kernel, (f32, bf16, ours) in totals.items()) + "."]
    return lines


def section(machine, rows):
    return "\n".join([
        BEGIN,
        "## Convolution kernels",
        "",
        "Written by `make bench` (`python bench/conv_kernels.py`). Each kernel of each layer of kerasgan's DCGAN at 32x32x1 "
        f"(batch {BATCH}, filters 64, kernels {KERNEL}x{KERNEL}, stride 2) run alone through TensorFlow on this CPU, the "
        f"median of {rows[0]['repeats']} calls, in float32 and in bfloat16. A layer's training costs its forward pass, its "
        "backprop-input (the gradient sent to the layer below; the first layer of the discriminator needs it only to train "
        "the generator) and its backprop-filter (the gradient of its kernel). The last two columns are bfloat16 as kerasgan's "
        "layers (kerasgan.convolutions) run it: TensorFlow's kernels, except the kernel gradient, computed as one forward "
        "convolution. "
        f"Machine: {machine['cpu']}, {machine['cores']} cores, SIMD: {', '.join(machine['simd'])}; TensorFlow {tf.__version__}.",
        "",
        *table(rows),
        END,
    ])


def main(argv):
    del argv
    rows = []
    for network, kind, side, channels_in, channels_out in LAYERS:
        made = kernels(kind, side, channels_in, channels_out)
        for kernel in KERNELS:
            row = {"network": network, "kind": kind, "side": side, "channels_in": channels_in, "channels_out": channels_out,
                   "kernel": kernel, "repeats": FLAGS.repeats}
            for dtype, functions in made.items():
                row[f"{dtype}_ms"] = median_ms(functions[kernel], FLAGS.repeats)
            print(f"{network} {kind} {channels_in}->{channels_out} {kernel}: " + " / ".join(
                f"{row[f'{dtype}_ms']:.2f}" for dtype in DTYPES) + " ms", flush=True)
            rows.append(row)
    machine = flops.machine()
    sections.write_json(FLAGS.results, {"machine": machine, "tensorflow": tf.__version__, "rows": rows})
    sections.replace_section(FLAGS.markdown, section(machine, rows), BEGIN, END)
    print(f"wrote {FLAGS.results} and {FLAGS.markdown}")


if __name__ == "__main__":
    define_flags()
    app.run(main)
