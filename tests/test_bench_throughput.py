"""bench/throughput_tables.py and bench/precision_fid.py: the tables are the rows' own numbers, ratios included."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
import conv_kernels  # noqa: E402
import precision_fid  # noqa: E402
import throughput_tables as tables  # noqa: E402

MACHINE = {
    "cpu": "a CPU", "vendor": "GenuineIntel", "cores": 2, "ghz": 2.0, "simd": ["avx512_bf16"], "tensorflow": "2",
    "keras": "3", "python": "3.11", "torch": "2.13.0", "peak_gflops": 256.0, "peak_assumption": "fp32",
    "bf16_peak_gflops": 512.0, "bf16_peak_assumption": "bf16",
}


def timing(ms, batch=64, steps=50):
    return {"median_ms": ms, "p25_ms": ms, "p75_ms": ms, "timed_steps": steps, "images_per_s": 1000 * batch / ms,
            "first_step_s": 1.0}


def equal(variant, ours_ms, theirs_ms):
    return {"group": "equal", "config": "dcgan_reference", "variant": variant, "flops_per_step": 5.12e9,
            "kerasgan": timing(ours_ms), "hand_written": timing(theirs_ms), "steps": 60, "warmup": 10, "date": "d"}


def test_equal_settings_table_gives_the_ratio_and_the_share_of_each_precisions_peak():
    rows = [equal("float32_off", 40.0, 50.0), equal("bfloat16_on", 20.0, 20.0)]
    made = tables.Tables({(r["group"], r["config"], r["variant"]): r for r in rows}, MACHINE)
    lines = made.equal({"dcgan_reference": "DCGAN ref"})
    assert "| DCGAN ref | float32 | off | 1,600 (40.0 ms) | 1,280 (50.0 ms) | **1.25** | 128 (50 %) |" in lines
    assert "| DCGAN ref | bfloat16 | on | 3,200 (20.0 ms) | 3,200 (20.0 ms) | **1.00** | 256 (50 %) |" in lines


def default(default_ms, ours_ms, theirs_ms, xla="on"):
    """A peers default row: the default timed alone, then with the hand-written float32 step in its process."""
    return {"group": "peers", "config": "dcgan_reference", "variant": "default", "flops_per_step": 5.12e9,
            "precision": "bfloat16", "jit_compile": False, **timing(default_ms), "kerasgan": timing(ours_ms),
            "hand_written": dict(timing(theirs_ms), xla=xla), "peak_rss_mib": 1.0}


def test_peers_table_compares_the_default_with_the_hand_written_step_of_its_process_and_torch():
    rows = [
        equal("float32_on", 10.0, 10.0),  # another process's hand-written figure: not used
        default(20.0, 25.0, 40.0),
        {"group": "peers", "config": "dcgan_reference", "variant": "torch_eager", **timing(30.0)},
        {"group": "peers", "config": "dcgan_reference", "variant": "torch_compile", "error": "RuntimeError: no"},
    ]
    made = tables.Tables({(r["group"], r["config"], r["variant"]): r for r in rows}, MACHINE)
    line = made.peers({"dcgan_reference": "DCGAN ref"})[2]
    cells = [cell.strip() for cell in line.split("|")[1:-1]]
    assert cells[1] == "1,600 (40.0 ms) (XLA on)"
    assert cells[3] == "failed [1]" and "RuntimeError: no" in made.errors[0]
    assert cells[4] == "3,200 (20.0 ms) (bfloat16, XLA off)"
    assert cells[5:8] == ["**1.60**", "**1.50**", "–"]  # 40 / 25 timed together; 30 / 20 across processes
    assert cells[8] == "256 (50 %)"


def test_a_default_rows_rounds_give_its_timings_paired_ratios_and_the_hand_written_xla_settings():
    runs = [default(20.0, 25.0, 40.0, "on"), default(30.0, 20.0, 20.0, "off"), default(10.0, 10.0, 30.0, "on")]
    row = tables.median_row(runs)
    assert row["median_ms"] == 20.0 and row["kerasgan"]["median_ms"] == 20.0 and row["ratio_rounds"] == [1.6, 1.0, 3.0]
    made = tables.Tables({("peers", "dcgan_reference", "default"): row}, MACHINE)
    assert made.hand_written(row) == ("2,133 (30.0 ms) (XLA on/off/on)", "**1.60** (1.60, 1.00, 3.00)")
    assert "| 1.60 | – | – |" in tables.readme_table(dict(MACHINE, date="d"), [row], {"dcgan_reference": "DCGAN ref"})


def test_median_row_takes_each_timing_over_the_rounds():
    runs = [{**equal("float32_off", ms, 2 * ms), "peak_rss_mib": ms} for ms in (30.0, 10.0, 20.0)]
    row = tables.median_row(runs)
    assert row["kerasgan"]["median_ms"] == 20.0 and row["hand_written"]["median_ms"] == 40.0
    assert row["rounds"] == 3 and row["peak_rss_mib"] == 30.0


def test_precision_verdict_compares_the_mean_gap_with_the_seed_spread():
    assert precision_fid.verdict([10.0, 12.0, 14.0], [11.0, 13.0, 15.0]) == "equal within the seed spread"
    assert precision_fid.verdict([10.0, 10.5, 11.0], [20.0, 20.5, 21.0]) == "bfloat16 worse by 10.0"
    assert precision_fid.verdict([20.0, 20.5, 21.0], [10.0, 10.5, 11.0]) == "bfloat16 better by 10.0"
    assert precision_fid.verdict([10.0], [10.0]) == "too few seeds"


def test_a_ratio_of_two_models_timed_together_is_the_median_of_the_rounds_ratios():
    # kerasgan/hand-written per round: 30/30 = 1.0, 10/5 = 2.0, 20/25 = 0.8 -> median 1.0 (the medians' ratio would be 0.8)
    runs = [{**equal("float32_off", ours, theirs), "peak_rss_mib": 1.0} for ours, theirs in ((30.0, 30.0), (5.0, 10.0), (25.0, 20.0))]
    row = tables.median_row(runs)
    assert row["ratio_rounds"] == [1.0, 2.0, 0.8] and row["ratio"] == 1.0
    line = tables.Tables({("equal", "dcgan_reference", "float32_off"): row}, MACHINE).equal({"dcgan_reference": "DCGAN ref"})[2]
    assert "| **1.00** (1.00, 2.00, 0.80) |" in line


def test_conv_kernel_table_gives_each_kernels_speedup_and_the_sums():
    def row(kernel, f32, bf16, ours):
        return {"network": "discriminator", "kind": "conv", "side": 16, "channels_in": 64, "channels_out": 128,
                "kernel": kernel, "float32_ms": f32, "bfloat16_ms": bf16, "kerasgan_ms": ours}

    lines = conv_kernels.table(
        [row("forward", 10.0, 5.0, 5.0), row("backprop_input", 6.0, 3.0, 3.0), row("backprop_filter", 8.0, 10.0, 4.0)]
    )
    assert "| discriminator | conv 64->128 at 16x16 | backprop_filter | 8.00 | 10.00 | **0.80** | 4.00 | **2.00** |" in lines
    assert lines[-1].endswith("backprop_filter 8.0 ms against 10.0 ms (**0.80x**) and 4.0 ms (**2.00x**).")
