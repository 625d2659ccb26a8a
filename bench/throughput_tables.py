"""The "## Throughput" section of BENCHMARKS.md from bench/throughput.py's rows."""
import statistics

BEGIN, END = "<!-- throughput:begin (written by bench/throughput.py) -->", "<!-- throughput:end -->"
TIMED = ("kerasgan", "hand_written", "data_load", "cached")
PAIRS = (("kerasgan", "hand_written"), ("data_load", "cached"))  # timed in one process: compared round by round


def median_row(runs):
    """One row from the rounds of a (group, config, variant): each timing the median over rounds."""
    failed = [run for run in runs if "error" in run]
    if failed:
        return failed[0]
    row = dict(runs[len(runs) // 2])
    row["peak_rss_mib"] = max(run["peak_rss_mib"] for run in runs)
    row["rounds"] = len(runs)
    names = [name for name in TIMED if name in row] + ([None] if "median_ms" in row else [])
    if not names:
        return row  # not a step timing (FID extraction): the middle round
    for name in names:
        parts = [run[name] if name else run for run in runs]
        merged = dict(parts[0]) if name else row
        for key in ("median_ms", "p25_ms", "p75_ms", "first_step_s"):
            merged[key] = float(statistics.median(part[key] for part in parts))
        merged["images_per_s"] = float(statistics.median(part["images_per_s"] for part in parts))
        merged["images_per_s_rounds"] = [part["images_per_s"] for part in parts]
        if "xla" in merged:
            merged["xla_rounds"] = [part["xla"] for part in parts]
        if name:
            row[name] = merged
    for ours, theirs in PAIRS:
        if ours in row and theirs in row:
            row["ratio_rounds"] = [run[ours]["images_per_s"] / run[theirs]["images_per_s"] for run in runs]
            row["ratio"] = float(statistics.median(row["ratio_rounds"]))
    return row


def _paired_ratio(row, ours, theirs):
    """'**1.02** (0.98, 1.02, 1.10)': the median over rounds of the per-round ratio, and each round's ratio."""
    if "ratio" not in row:  # one round
        return f"**{row[ours]['images_per_s'] / row[theirs]['images_per_s']:.2f}**"
    rounds = ", ".join(f"{ratio:.2f}" for ratio in row["ratio_rounds"])
    return f"**{row['ratio']:.2f}** ({rounds})" if len(row["ratio_rounds"]) > 1 else f"**{row['ratio']:.2f}**"


def _rate(timing):
    """'1,234 (5.6 ms)': images/s and the median step time, starred when fewer than 50 steps were timed."""
    star = "*" if timing["timed_steps"] < 50 else ""
    return f"{timing['images_per_s']:,.0f} ({timing['median_ms']:.1f} ms){star}"


def _ratio(default, other, key=None):
    """'**1.23**': the default row's images/s over another row's (its `key` part), or '–'."""
    if not default or not other or "error" in other:
        return "–"
    return f"**{default['images_per_s'] / (other[key] if key else other)['images_per_s']:.2f}**"


def _one_line(error, limit=300):
    return " ".join(error.split())[:limit].replace("|", "\\|").replace("`", "'")


class Tables:
    """Markdown tables of the rows {(group, config, variant): row}; failures become numbered notes."""

    def __init__(self, rows, machine):
        self.rows, self.machine, self.errors = rows, machine, []

    def get(self, group, config, variant):
        return self.rows.get((group, config, variant))

    def cell(self, row, key=None):
        if row is None:
            return "not run"
        if "error" in row:
            self.errors.append(f"{row['group']} {row['config']} {row['variant']}: `{_one_line(row['error'])}`")
            return f"failed [{len(self.errors)}]"
        return _rate(row[key] if key else row)

    def gflops(self, row, key, model_precision):
        """'123 (45 %)': achieved GFLOP/s and the share of the peak of `model_precision`'s arithmetic."""
        timing = row[key] if key else row
        achieved = row["flops_per_step"] / (timing["median_ms"] / 1000) / 1e9
        peak = self.machine["bf16_peak_gflops"] if model_precision == "bfloat16" else self.machine["peak_gflops"]
        return f"{achieved:.0f} ({100 * achieved / peak:.0f} %)" if peak else f"{achieved:.0f}"

    # --- kerasgan against the hand-written step, same settings -------------------------------------

    def equal(self, names):
        lines = [
            "| configuration | precision | XLA | kerasgan images/s (ms/step) | hand-written images/s (ms/step) "
            "| kerasgan ÷ hand-written | kerasgan GFLOP/s (% of peak) |",
            "|---|---|---|---|---|---|---|",
        ]
        for config, label in names.items():
            for variant in ("float32_off", "float32_on", "bfloat16_off", "bfloat16_on"):
                row = self.get("equal", config, variant)
                if row is None:
                    continue
                model_precision, jit = variant.split("_")
                if "error" in row:
                    lines.append(f"| {label} | {model_precision} | {jit} | {self.cell(row)} | | | |")
                    continue
                lines.append(
                    f"| {label} | {model_precision} | {jit} | {self.cell(row, 'kerasgan')} | {self.cell(row, 'hand_written')} "
                    f"| {_paired_ratio(row, 'kerasgan', 'hand_written')} | {self.gflops(row, 'kerasgan', model_precision)} |"
                )
        return lines

    # --- defaults against the peers ---------------------------------------------------------------

    @staticmethod
    def hand_written(default):
        """('1,234 (5.6 ms) (XLA off)', '**1.23** (...)'): the float32 hand-written step timed in the default
        row's process at its faster XLA setting, and the paired ratio default ÷ hand-written."""
        if not default or "error" in default or "hand_written" not in default:
            return "not run", "–"
        settings = default["hand_written"].get("xla_rounds", [default["hand_written"]["xla"]])
        xla = settings[0] if len(set(settings)) == 1 else "/".join(settings)
        return f"{_rate(default['hand_written'])} (XLA {xla})", _paired_ratio(default, "kerasgan", "hand_written")

    def peers(self, names):
        lines = [
            "| configuration | hand-written Keras, float32 (its faster XLA setting) | torch eager | torch.compile "
            "| kerasgan default (precision, XLA chosen) | default ÷ hand-written float32 | default ÷ torch eager "
            "| default ÷ torch.compile | default GFLOP/s (% of its precision's peak) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for config, label in names.items():
            default = self.get("peers", config, "default")
            if default is None:
                continue
            eager, compiled = self.get("peers", config, "torch_eager"), self.get("peers", config, "torch_compile")
            ok = default and "error" not in default
            described = self.cell(default)
            if ok:
                described += f" ({default['precision']}, XLA {'on' if default['jit_compile'] else 'off'})"
            hand, versus_hand = self.hand_written(default)
            ratios = [versus_hand] + [_ratio(default if ok else None, other) for other in (eager, compiled)]
            lines.append(
                f"| {label} | {hand} | {self.cell(eager) if eager else '–'} | {self.cell(compiled) if compiled else '–'} "
                f"| {described} | {' | '.join(ratios)} "
                f"| {self.gflops(default, None, default['precision']) if ok else '–'} |"
            )
        return lines

    # --- zoo recipes -----------------------------------------------------------------------------

    def zoo(self, configs):
        lines = [
            "| model | recipe | batch (what is counted) | batch shapes | float32, XLA off | float32, XLA on "
            "| default (precision, XLA chosen) | default ÷ faster float32 | first step s (off / on) | peak RSS MiB (off / on / default) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for config in configs:
            off, on, default = (self.get("zoo", config, variant) for variant in ("off", "on", "default"))
            known = next((row for row in (off, on, default) if row and "model" in row), None)
            if known is None:
                continue
            cells = [self.cell(row) for row in (off, on, default)]
            if default and "error" not in default:
                cells[2] += f" ({default['precision']}, XLA {'on' if default['jit_compile'] else 'off'})"
            floats = [row["images_per_s"] for row in (off, on) if row and "error" not in row]
            ratio = (
                f"{default['images_per_s'] / max(floats):.2f}" if floats and default and "error" not in default else "–"
            )
            first = " / ".join(f"{row['first_step_s']:.1f}" if row and "error" not in row else "–" for row in (off, on))
            rss = " / ".join(f"{row['peak_rss_mib']:.0f}" if row and "peak_rss_mib" in row else "–" for row in (off, on, default))
            lines.append(
                f"| {known['model']} | zoo/{config}.flags | {known['batch_size']} {known['unit']} | {known['shapes']} "
                f"| {cells[0]} | {cells[1]} | {cells[2]} | {ratio} | {first} | {rss} |"
            )
        return lines

    # --- input pipelines and FID extraction ------------------------------------------------------------

    def pipelines(self, configs):
        lines = [
            "| dataset | recipe | batch shapes | precision, XLA | data.load images/s (ms/step) | cached batch images/s (ms/step) "
            "| data.load ÷ cached |",
            "|---|---|---|---|---|---|---|",
        ]
        for config in configs:
            row = self.get("pipeline", config, "default")
            if row is None:
                continue
            if "error" in row:
                lines.append(f"| {config} | | | | {self.cell(row)} | | |")
                continue
            lines.append(
                f"| {row['dataset']} | zoo/{row['recipe']}.flags | {row['shapes']} | {row['precision']}, XLA "
                f"{'on' if row['jit_compile'] else 'off'} | {self.cell(row, 'data_load')} | {self.cell(row, 'cached')} "
                f"| {_paired_ratio(row, 'data_load', 'cached')} |"
            )
        return lines

    def fid(self):
        row = self.get("fid", "inception", "default")
        if row is None:
            return []
        if "error" in row:
            return [f"FID extraction: {self.cell(row)}."]
        return [
            f"FID feature extraction (`kerasgan.metrics.extract_features(images, \"inception\")`, {row['images']:,} MNIST "
            f"test images, the network built beforehand): **{row['images_per_s']:.0f} images/s**, so the 10,000 samples of "
            f"the standard FID take {row['minutes_for_10000']:.1f} minutes" + (f" ({row['note']})" if row.get("note") else "") + "."
        ]


def _or_note(table):
    """The table, or a note when it has no rows (its configurations were never run)."""
    return table if len(table) > 2 else ["Not measured yet (run it with `--groups=...`)."]


def section(machine, rows, equal, zoo, pipelines):
    """The whole "## Throughput" section of BENCHMARKS.md."""
    keyed = {(row["group"], row["config"], row["variant"]): row for row in rows}
    made = Tables(keyed, machine)
    steps = sorted({(row["steps"], row["warmup"]) for row in rows if "steps" in row})
    dates = sorted({row["date"] for row in rows if "date" in row})
    rounds = ", ".join(str(count) for count in sorted({row.get("rounds", 1) for row in rows}))
    bf16 = machine.get("bf16_peak_gflops")
    lines = [
        BEGIN,
        "## Throughput",
        "",
        "Images per second of one training step, written by `make bench` (`python bench/throughput.py`; "
        "`--groups=... --configs=...` for a part) from bench/results/throughput.json. Each row runs in its own Python "
        "process; the step time is the median of the step intervals of `model.fit(steps_per_epoch=...)` taken at "
        "`on_train_batch_end` (which waits for the step's metrics), after dropping the first warm-up intervals "
        f"(steps per model and warm-up: {', '.join(f'{s} and {w}' for s, w in steps)}). Two models timed in one process run "
        "in the order A B B A (half the timed steps each). The whole set runs in "
        f"{rounds} rounds, one row after another, and each figure is the median over the rounds; a ratio of two models timed "
        "in one process is the median of the rounds' own ratios, which are shown in brackets. This shared machine's speed "
        "drifts by 10-20 % between minutes, so read ratios within about 1.1 as ties. Values marked * were timed over "
        "fewer than 50 steps.",
        "",
        f"Machine: {machine['cpu']} ({machine['vendor']}), {machine['cores']} cores at {machine['ghz']:.2f} GHz "
        f"(/proc/cpuinfo), SIMD: {', '.join(machine['simd'])}; TensorFlow {machine['tensorflow']}, Keras {machine['keras']}, "
        f"PyTorch {machine.get('torch') or 'not installed'}, Python {machine['python']}; measured {', '.join(dates)}. "
        f"Peaks at the nominal clock: float32 {machine['peak_gflops']:.0f} GFLOP/s ({machine['peak_assumption']}); "
        + (f"bfloat16 {bf16:.0f} GFLOP/s ({machine['bf16_peak_assumption']})." if bf16 else "no bfloat16 peak.")
        + " FLOPs per step are counted analytically (bench/flops.py: 2 x the multiply-accumulates of the convolutions "
        "and dense layers; training a network 3F, carrying gradients through it 2F, the gradient penalty 6F).",
        "",
        "### kerasgan against a hand-written step, same settings",
        "",
        "The same networks (cloned: the same initial weights), batch, precision and XLA setting, in one process: kerasgan's "
        "`WGAN(generator=..., critic=...)` / `DCGAN(generator=..., discriminator=...)` against a plain keras.Model subclass "
        "in the keras.io examples' style (bench/reference_steps.py). Hand-written WGAN-GP: separate critic calls on real "
        "and fake, the penalty on uniform interpolates, Adam(1e-4, 0.5, 0.9). Hand-written DCGAN: one discriminator call "
        "on the concatenated fake and real batch with noisy labels, binary cross-entropy on logits, Adam(2e-4, 0.5). "
        "bfloat16: `mixed_bfloat16` for both (float32 weights, last layers in float32).",
        "",
        *_or_note(made.equal(equal)),
        "",
        "### Defaults against the peers",
        "",
        "kerasgan as a user gets it: the same networks built under `precision=\"auto\"` (bfloat16 on this CPU for the "
        "models whose quality held in it, see Precision) and compiled with `jit_compile=\"auto\"` (XLA or not, measured "
        "at the start of `fit`; timed after that choice), against the hand-written Keras step in float32 at its faster XLA "
        "setting, and PyTorch twins of the reference networks (bench/torch_steps.py: the same layers, initializations "
        "left at torch's, the same optimizers and steps) run eagerly and under `torch.compile` (the penalty's double "
        "backward stays eager there). The hand-written step runs in the default's process: after the jit choice, "
        "kerasgan's default and the hand-written step with XLA off and on are timed in the order A B C C B A, and "
        "default ÷ hand-written is the median of the rounds' ratios against the faster of the two (brackets: each "
        "round). The torch twins run in processes of their own, so their ratios cross processes.",
        "",
        *_or_note(made.peers(equal)),
        "",
        "### Zoo models at their recipe's shapes",
        "",
        "Each model as `kerasgan train --flagfile=zoo/<recipe>.flags` builds it (default optimizers), fed one batch of "
        "the recipe's shapes held in memory (images and points replaced by uniform noise in [-1, 1], labels kept): "
        "float32 with XLA off and on, and kerasgan's defaults (precision and jit_compile \"auto\", timed after the jit "
        "choice of a 400-step fit). images/s counts the recipe's global batch per step: images; for the MLP GAN "
        "(wgan_gp_grid25) 2-D points; for DANN source plus target examples; for Pix2Pix (input, target) pairs; for "
        "CycleGAN (A, B) pairs. A step is the model's whole `train_step` (WGAN: all critic updates and 1 generator update).",
        "",
        *_or_note(made.zoo(zoo)),
        "",
        "### Input pipelines and FID extraction",
        "",
        "A recipe at its defaults fed by `kerasgan.data.load` (cached, shuffled, batched, prefetched) against the same "
        "pipeline's first batch cached in memory, the same model in one process. A ratio near 1 means training is "
        "compute-bound, not input-bound.",
        "",
        *_or_note(made.pipelines(pipelines)),
        "",
        *made.fid(),
    ]
    if made.errors:
        lines += ["", "Failures (the start of each error message):", ""]
        lines += [f"{index}. {error}" for index, error in enumerate(made.errors, 1)]
    return "\n".join(lines + [END])


README_BEGIN, README_END = "<!-- speed table: written by bench/throughput.py -->", "<!-- end of speed table -->"


def readme_table(machine, rows, equal):
    """The README's speed table: kerasgan's defaults against the float32 hand-written step and PyTorch."""
    keyed = {(row["group"], row["config"], row["variant"]): row for row in rows}
    made = Tables(keyed, machine)
    lines = [
        README_BEGIN,
        "| training step (batch 64) | kerasgan default: images/s | precision, XLA | ÷ hand-written Keras, float32 "
        "| ÷ PyTorch eager | ÷ torch.compile |",
        "|---|---|---|---|---|---|",
    ]
    for config, label in equal.items():
        default = made.get("peers", config, "default")
        if not default or "error" in default:
            continue
        versus_hand = made.hand_written(default)[1].split(" (")[0]
        others = (made.get("peers", config, "torch_eager"), made.get("peers", config, "torch_compile"))
        ratios = [ratio.strip("*") for ratio in [versus_hand] + [_ratio(default, other) for other in others]]
        lines.append(
            f"| {label} | {default['images_per_s']:,.0f} | {default['precision']}, XLA "
            f"{'on' if default['jit_compile'] else 'off'} | {' | '.join(ratios)} |"
        )
    lines.append(f"\n{machine['cpu']}, {machine['cores']} cores, measured {machine['date']} by `make bench` (medians of its rounds; "
        "the hand-written step is timed in the default's process, alternating with it, the PyTorch twins in their own).")
    return "\n".join(lines + [README_END])
