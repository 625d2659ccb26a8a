"""FLOPs of a training step (counted analytically, and by the TensorFlow profiler as a check) and the CPU's peak.

Analytic count: a forward pass costs F = 2 x the multiply-accumulates of its Conv2D,
Conv2DTranspose and Dense layers (batch norm, activations, losses and optimizer updates are
left out: a few % here). Backpropagating through a network costs F for the gradients of its
inputs and F for those of its weights, so a pass that trains a network costs 3F, a pass that
only carries gradients through it (D in the generator step) 2F. The gradient penalty runs
D forward and back to its input (2F), then differentiates that again for D's weights (2 x 2F): 6F.
"""
import os
import re

import keras
import numpy as np


def forward_flops(network, batch_size):
    """FLOPs of one forward pass of `network` on `batch_size` examples: 2 x the MACs of its conv and dense layers."""
    macs = 0
    for layer in network._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, height, width, channels = layer.input.shape
            macs += height * width * channels * int(np.prod(layer.kernel_size)) * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, height, width, filters = layer.output.shape
            macs += height * width * filters * int(np.prod(layer.kernel_size)) * layer.input.shape[-1] // layer.groups
        elif isinstance(layer, keras.layers.Dense):
            macs += int(np.prod(layer.input.shape[1:])) * layer.units
    return 2 * macs * batch_size


def wgan_gp_step_flops(generator, critic, batch_size, critic_steps):
    """One WGAN-GP step: per critic step G forward, D trained on real and fake (2 x 3F), the penalty (6F);
    then G trained through D (3F_G + 2F_D)."""
    g, d = forward_flops(generator, batch_size), forward_flops(critic, batch_size)
    return critic_steps * (g + 12 * d) + 3 * g + 2 * d


def dcgan_step_flops(generator, discriminator, batch_size):
    """One DCGAN step: G forward, D trained on real and fake (2 x 3F); then G trained through D (3F_G + 2F_D)."""
    g, d = forward_flops(generator, batch_size), forward_flops(discriminator, batch_size)
    return 4 * g + 8 * d


def profiled_flops(model, batch):
    """FLOPs the TensorFlow profiler counts in the graph of `model.train_step` traced on `batch`.

    It counts every op with registered statistics (convolutions and their gradients, matmuls,
    element-wise ops) as written in the graph, including gradients that are never used and are
    pruned before running: an upper bound of the work done.
    """
    import tensorflow as tf

    specs = tf.nest.map_structure(tf.TensorSpec.from_tensor, batch)
    graph = tf.function(model.train_step).get_concrete_function(specs).graph
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    return int(tf.compat.v1.profiler.profile(graph, options=options).total_float_ops)


def _cpuinfo():
    """The first processor's fields of /proc/cpuinfo and the number of physical cores."""
    with open("/proc/cpuinfo") as handle:
        blocks = [block for block in handle.read().split("\n\n") if block.strip()]
    processors = [dict(re.findall(r"^([^\t:]+?)\s*:\s*(.*)$", block, re.MULTILINE)) for block in blocks]
    cores = {(fields.get("physical id"), fields.get("core id", index)) for index, fields in enumerate(processors)}
    return processors[0], len(cores)


def flops_per_cycle(flags, vendor, family):
    """fp32 FLOPs per cycle and core from the SIMD flags, assuming two FMA units; and the assumption in words."""
    if "avx512f" in flags and vendor == "AuthenticAMD" and family == 25:
        return 32, "AVX-512 on Zen 4 runs as two 256-bit halves: 2 FMA units x 8 fp32 lanes x 2"
    if "avx512f" in flags:
        return 64, "AVX-512 with 2 FMA units of 512 bits: 2 x 16 fp32 lanes x 2 (FMA = 2 FLOPs)"
    if "avx2" in flags and "fma" in flags:
        return 32, "AVX2 with 2 FMA units of 256 bits: 2 x 8 fp32 lanes x 2"
    if "avx" in flags:
        return 16, "AVX without FMA: one 256-bit add and one multiply per cycle"
    return 8, "SSE: one 128-bit add and one multiply per cycle"


def bf16_flops_per_cycle(flags):
    """bf16 FLOPs per cycle and core of the vector units, and the assumption in words; (None, reason) without bf16 instructions.

    AVX512_BF16's VDPBF16PS multiplies 32 bf16 pairs into 16 float32 sums per instruction (64 FLOPs);
    two per cycle as for FMAs. AMX tiles (amx_bf16) are faster still; oneDNN uses them for large
    enough matrices, so a step can pass this peak.
    """
    if "avx512_bf16" in flags:
        note = " (AMX bf16 tiles are also present: up to 1,024 FLOPs/cycle for large matrix products)" if "amx_bf16" in flags else ""
        return 128, "AVX512_BF16: 2 VDPBF16PS per cycle x 32 bf16 products x 2" + note
    return None, "no bf16 vector instructions"


def machine():
    """The CPU (model, cores, clock, SIMD flags) from /proc/cpuinfo and the peak fp32 FLOP/s it implies."""
    fields, cores = _cpuinfo()
    flags = set(fields.get("flags", "").split())
    per_cycle, assumption = flops_per_cycle(flags, fields.get("vendor_id"), int(fields.get("cpu family", 0)))
    ghz = float(fields.get("cpu MHz", 0)) / 1000
    bf16_per_cycle, bf16_assumption = bf16_flops_per_cycle(flags)
    return {
        "cpu": fields.get("model name", "unknown"),
        "vendor": fields.get("vendor_id"),
        "cpu_family": int(fields.get("cpu family", 0)),
        "cores": cores,
        "cores_available": len(os.sched_getaffinity(0)),
        "ghz": ghz,
        "simd": sorted(flag for flag in flags if flag in ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")),
        "flops_per_cycle_per_core": per_cycle,
        "peak_assumption": assumption,
        "peak_gflops": cores * ghz * per_cycle,
        "bf16_flops_per_cycle_per_core": bf16_per_cycle,
        "bf16_peak_assumption": bf16_assumption,
        "bf16_peak_gflops": cores * ghz * bf16_per_cycle if bf16_per_cycle else None,
    }
