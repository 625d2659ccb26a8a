"""Image-to-image translation (docs/protocols.md section 4): Pix2Pix on paired sets, CycleGAN label preservation.

    python bench/translation.py --seeds=0,1,2 --parts=pix2pix,cyclegan

pix2pix: on colorization, edges2photos and digits2digits_m (paired=True), trains Pix2Pix (l1_weight
100) and an L1-only U-Net (the same generator, loss "mae"), both Adam(2e-4, 0.5), for the same epochs
and batch size, and scores L1, PSNR, SSIM and the Inception FID on the held-out "test" pairs beside
the input repeated to 3 channels. cyclegan: trains CycleGAN on unpaired digits <-> digits_m with
LinearDecay, translates the held-out digits (A) and digits_m (B) and scores label preservation
with the other domain's cached classifier (kerasgan.metrics.digits_classifier). Each part
replaces its entry in --output's JSON, so parts can run separately; the Markdown tables and
the picture are rebuilt from what the JSON and the per-part pictures hold (--parts= alone rebuilds them).
"""
import json
import os
import sys
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_list("seeds", ["0", "1", "2"], "Training seeds.")
flags.DEFINE_list("parts", ["pix2pix", "cyclegan"], "Which parts to run: pix2pix, cyclegan.")
flags.DEFINE_integer("image_size", 32, "Side of every image.")
flags.DEFINE_list("pix2pix_datasets", ["colorization", "edges2photos", "digits2digits_m"], "Paired sets for the pix2pix part.")
flags.DEFINE_integer("pix2pix_epochs", 12, "Epochs of Pix2Pix and of the L1-only U-Net.")
flags.DEFINE_integer("pix2pix_filters", 32, "U-Net and PatchGAN base filters.")
flags.DEFINE_integer("pix2pix_batch_size", 16, "Pairs per step.")
flags.DEFINE_integer("cyclegan_epochs", 40, "CycleGAN epochs (LinearDecay over the second half).")
flags.DEFINE_integer("cyclegan_filters", 16, "Generator and discriminator base filters.")
flags.DEFINE_integer("cyclegan_residual_blocks", 3, "Residual blocks of each generator.")
flags.DEFINE_integer("cyclegan_batch_size", 8, "Unpaired (a, b) pairs per step.")
flags.DEFINE_float("cyclegan_cycle_weight", 10.0, "Cycle-consistency weight (the paper's 10; the recipe's 1).")
flags.DEFINE_float("cyclegan_identity_weight", 0.5, "Identity loss weight, a multiple of the cycle weight.")
flags.DEFINE_integer("cyclegan_downsamplings", 2, "Stride-2 blocks of each generator (the paper's 2; the recipe's 1).")
flags.DEFINE_integer("picture_rows", 4, "Held-out examples per dataset in the picture.")
flags.DEFINE_string("output", "bench/results/translation.md", "Markdown tables; JSON and PNG beside it.")

PARTS = ("pix2pix", "cyclegan")
PIX2PIX_MODELS = ("input", "l1_unet", "pix2pix")
PIX2PIX_NAMES = {"input": "input (as RGB)", "l1_unet": "L1-only U-Net", "pix2pix": "Pix2Pix (L1 + cGAN)"}


def image_scores(translated, targets):
    from kerasgan import metrics

    return {
        "l1": metrics.l1(translated, targets), "psnr": metrics.psnr(translated, targets),
        "ssim": metrics.ssim(translated, targets), "fid": metrics.frechet_distance(targets, translated),
    }


def train_pix2pix(name, seed):
    """One seed on one paired set: (scores per model, seconds per model, steps, picture columns)."""
    import keras
    import numpy as np

    from kerasgan import data
    from kerasgan.networks import unet
    from kerasgan.zoo import Pix2Pix

    size, batch_size = FLAGS.image_size, FLAGS.pix2pix_batch_size
    train = data.load(name, image_size=size, batch_size=batch_size, paired=True, seed=seed)
    inputs, targets = data.examples(name, "test", image_size=size, paired=True)
    input_shape, channels = inputs.shape[1:], targets.shape[-1]
    outputs, seconds = {"input": np.repeat(inputs, channels, axis=-1)}, {}

    keras.utils.set_random_seed(seed)
    start = time.time()
    model = Pix2Pix(input_shape, channels, filters=FLAGS.pix2pix_filters, seed=seed)
    model.compile()
    model.fit(train, epochs=FLAGS.pix2pix_epochs, verbose=0)
    outputs["pix2pix"], seconds["pix2pix"] = model.translate(inputs), time.time() - start
    steps = int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations))

    keras.utils.set_random_seed(seed)
    start = time.time()
    network = unet.build_unet(input_shape, channels, FLAGS.pix2pix_filters)
    network.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss="mae")
    network.fit(train, epochs=FLAGS.pix2pix_epochs, shuffle=False, verbose=0)
    outputs["l1_unet"], seconds["l1_unet"] = network.predict(inputs, verbose=0), time.time() - start

    scores = {key: image_scores(outputs[key], targets) for key in PIX2PIX_MODELS}
    rows = FLAGS.picture_rows
    columns = [inputs[:rows], outputs["l1_unet"][:rows], outputs["pix2pix"][:rows], targets[:rows]]
    return scores, seconds, steps, columns


def run_pix2pix(seeds):
    import numpy as np

    from kerasgan import plots

    runs, steps, pictures = {}, {}, []
    for seed in seeds:
        runs[seed] = {}
        for name in FLAGS.pix2pix_datasets:
            scores, seconds, steps[name], columns = train_pix2pix(name, seed)
            runs[seed][name] = {"scores": scores, "seconds": seconds}
            print(f"pix2pix seed {seed} {name}: {runs[seed][name]}", flush=True)
            if seed == seeds[0]:
                pictures.append(plots.side_by_side(columns)[0])
    plots.save_samples(np.concatenate(pictures), part_picture("pix2pix"), scale=2, columns=4)
    settings = {
        "image_size": FLAGS.image_size, "epochs": FLAGS.pix2pix_epochs, "filters": FLAGS.pix2pix_filters,
        "batch_size": FLAGS.pix2pix_batch_size, "generator_steps": steps,
    }
    return {"settings": settings, "runs": runs}


def cyclegan_test_sets(size):
    """Held-out (images, labels): digits as 3-channel grey (A) and digits_m (B), the same digits in one order."""
    from kerasgan import data

    load = lambda name, **kwargs: data.examples(name, "test", image_size=size, with_labels=True, **kwargs)  # noqa: E731
    return load("digits", channels=3), load("digits_m")


def train_cyclegan(seed, classifiers, test_a, test_b, light):
    """One seed: label preservation both ways (digits_m -> digits also on the `light` backgrounds and the rest),
    cycle L1, seconds, generator steps and the picture."""
    import keras

    from kerasgan import data, metrics, plots
    from kerasgan.callbacks import LinearDecay
    from kerasgan.zoo import CycleGAN

    size, epochs = FLAGS.image_size, FLAGS.cyclegan_epochs
    train = data.load("digits2digits_m", image_size=size, batch_size=FLAGS.cyclegan_batch_size, seed=seed)
    keras.utils.set_random_seed(seed)
    start = time.time()
    model = CycleGAN(
        image_shape=(size, size, 3), filters=FLAGS.cyclegan_filters, residual_blocks=FLAGS.cyclegan_residual_blocks,
        generator_downsamplings=FLAGS.cyclegan_downsamplings, cycle_weight=FLAGS.cyclegan_cycle_weight,
        identity_weight=FLAGS.cyclegan_identity_weight, seed=seed,
    )
    model.compile()
    model.fit(train, epochs=epochs, callbacks=[LinearDecay(epochs)], verbose=0)
    seconds = time.time() - start
    (images_a, labels_a), (images_b, labels_b) = test_a, test_b
    fake_b, fake_a = model.translate_a_to_b(images_a), model.translate_b_to_a(images_b)
    result = {
        "a_to_b": metrics.label_preservation(classifiers["digits_m"], fake_b, labels_a),
        "b_to_a": metrics.label_preservation(classifiers["digits"], fake_a, labels_b),
        "b_to_a_light": metrics.label_preservation(classifiers["digits"], fake_a[light], labels_b[light]),
        "b_to_a_dark": metrics.label_preservation(classifiers["digits"], fake_a[~light], labels_b[~light]),
        "cycle_l1_a": metrics.l1(model.translate_b_to_a(fake_b), images_a),
        "cycle_l1_b": metrics.l1(model.translate_a_to_b(fake_a), images_b),
        "seconds": seconds,
    }
    steps = int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations))
    rows = FLAGS.picture_rows
    picture = plots.side_by_side(model.translation_rows((images_a[:rows], images_b[:rows])))[0]
    return result, steps, picture


def run_cyclegan(seeds):
    from kerasgan import metrics, plots
    from kerasgan.data import digits_m

    size = FLAGS.image_size
    classifiers = {name: metrics.digits_classifier(size, dataset=name) for name in ("digits", "digits_m")}
    test_a, test_b = cyclegan_test_sets(size)
    (images_a, labels_a), (images_b, labels_b) = test_a, test_b
    light = digits_m.light_backgrounds("test", size)
    reference = {
        "ceiling_a": metrics.label_preservation(classifiers["digits"], images_a, labels_a),
        "ceiling_b": metrics.label_preservation(classifiers["digits_m"], images_b, labels_b),
        "untranslated_a_to_b": metrics.label_preservation(classifiers["digits_m"], images_a, labels_a),
        "untranslated_b_to_a": metrics.label_preservation(classifiers["digits"], images_b, labels_b),
        "untranslated_b_to_a_light": metrics.label_preservation(classifiers["digits"], images_b[light], labels_b[light]),
        "untranslated_b_to_a_dark": metrics.label_preservation(classifiers["digits"], images_b[~light], labels_b[~light]),
        "light": int(light.sum()),
        "dark": int((~light).sum()),
    }
    print(f"cyclegan references: {reference}", flush=True)
    runs = {}
    for seed in seeds:
        runs[seed], steps, picture = train_cyclegan(seed, classifiers, test_a, test_b, light)
        print(f"cyclegan seed {seed}: {runs[seed]}", flush=True)
        if seed == seeds[0]:
            plots.save_samples(picture, part_picture("cyclegan"), scale=2, columns=3)
    settings = {
        "image_size": size, "epochs": FLAGS.cyclegan_epochs, "filters": FLAGS.cyclegan_filters,
        "residual_blocks": FLAGS.cyclegan_residual_blocks, "batch_size": FLAGS.cyclegan_batch_size,
        "identity_weight": FLAGS.cyclegan_identity_weight, "generator_steps": steps,
        "cycle_weight": FLAGS.cyclegan_cycle_weight, "downsamplings": FLAGS.cyclegan_downsamplings,
    }
    return {"settings": settings, "reference": reference, "runs": runs}


def mean_std(values, digits=3):
    """"mean +- std" over seeds; the value alone for one seed."""
    import numpy as np

    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} +- {np.std(values):.{digits}f}"


def pix2pix_table(result):
    import numpy as np

    settings, runs = result["settings"], result["runs"]
    steps = ", ".join(f"{name} {count}" for name, count in settings["generator_steps"].items())
    lines = [
        f"Pix2Pix (U-Net and PatchGAN, filters {settings['filters']}, l1_weight 100) and an L1-only U-Net "
        f"(same generator, loss mae), each Adam(2e-4, 0.5), batch {settings['batch_size']}, "
        f"{settings['epochs']} epochs = generator steps {steps}; {settings['image_size']}x{settings['image_size']}; "
        f"held-out \"test\" pairs; seeds {', '.join(map(str, runs))}; mean +- std over seeds. L1 on [-1, 1]; "
        "PSNR and SSIM on [0, 1] with max_val 1; generators run with dropout off and BatchNorm's moving averages; "
        "seconds: training wall time per seed.",
        "",
        f"Command: `{result['command']}`",
        "",
        "| dataset | model | L1 (lower is better) | PSNR dB | SSIM | FID | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in settings["generator_steps"]:
        for model in PIX2PIX_MODELS:
            at = [run[name] for run in runs.values()]
            score = lambda key: [r["scores"][model][key] for r in at]  # noqa: E731, B023
            seconds = f"{np.mean([r['seconds'][model] for r in at]):.0f}" if model in at[0]["seconds"] else "-"
            fid = mean_std(score("fid"), 1) if "fid" in at[0]["scores"][model] else "not scored"
            lines.append(
                f"| {name} | {PIX2PIX_NAMES[model]} | {mean_std(score('l1'))} | {mean_std(score('psnr'), 2)} "
                f"| {mean_std(score('ssim'))} | {fid} | {seconds} |"
            )
    return lines


def cyclegan_table(result):
    import numpy as np

    settings, reference, runs = result["settings"], result["reference"], result["runs"]
    at = list(runs.values())
    lines = [
        f"CycleGAN on unpaired digits <-> digits_m ({settings['image_size']}x{settings['image_size']}x3; ResNet "
        f"generators, filters {settings['filters']}, stride-2 blocks {settings.get('downsamplings', 2)}, "
        f"{settings['residual_blocks']} residual blocks; PatchGANs; cycle weight {settings.get('cycle_weight', 10):g}, "
        f"identity {settings['identity_weight']:g}; batch {settings['batch_size']}; "
        f"{settings['epochs']} epochs = {settings['generator_steps']} generator steps, LinearDecay over the last "
        f"{settings['epochs'] // 2}); seeds {', '.join(map(str, runs))}; mean +- std over seeds; "
        f"training {np.mean([r['seconds'] for r in at]):.0f} s per seed. Label preservation: accuracy of the "
        "target domain's classifier on translated held-out images against their source labels (target >= 0.80).",
        "",
        f"Command: `{result['command']}`",
        "",
        "| direction | judged by | untranslated | CycleGAN | cycle L1 | classifier on its own domain (ceiling) |",
        "|---|---|---|---|---|---|",
        f"| digits (A) -> digits_m (B), 360 held-out | digits_m classifier | {reference['untranslated_a_to_b']:.3f} "
        f"| {mean_std([r['a_to_b'] for r in at])} | {mean_std([r['cycle_l1_a'] for r in at])} "
        f"| {reference['ceiling_b']:.3f} |",
        f"| digits_m (B) -> digits (A), 360 held-out | digits classifier (channels averaged) "
        f"| {reference['untranslated_b_to_a']:.3f} | {mean_std([r['b_to_a'] for r in at])} "
        f"| {mean_std([r['cycle_l1_b'] for r in at])} | {reference['ceiling_a']:.3f} |",
    ]
    for shade in ("light", "dark"):
        lines.append(
            f"| of which {shade} backgrounds, {reference[shade]} held-out | digits classifier (channels averaged) "
            f"| {reference['untranslated_b_to_a_' + shade]:.3f} | {mean_std([r['b_to_a_' + shade] for r in at])} | | |"
        )
    lines += [
        "",
        "A light background (mean above mid-grey off the digit) makes the |photo - digit| blend draw the digit dark "
        "on light, the reverse of the digits domain.",
    ]
    return lines


def part_picture(part):
    return FLAGS.output.replace(".md", f"_{part}.png")


def combine_pictures(paths, output):
    """Stacks the part pictures top to bottom on white into one PNG."""
    import numpy as np
    from PIL import Image

    pictures = [np.asarray(Image.open(path).convert("RGB")) for path in paths]
    width = max(picture.shape[1] for picture in pictures)
    padded = [np.pad(p, ((0, 8), (0, width - p.shape[1]), (0, 0)), constant_values=255) for p in pictures]
    Image.fromarray(np.concatenate(padded)[:-8]).save(output)


def main(argv):
    del argv
    unknown = set(FLAGS.parts) - set(PARTS)
    if unknown:
        raise app.UsageError(f"unknown parts {sorted(unknown)}: use {', '.join(PARTS)}")
    seeds = [int(seed) for seed in FLAGS.seeds]
    results_path = FLAGS.output.replace(".md", ".json")
    os.makedirs(os.path.dirname(FLAGS.output), exist_ok=True)
    results = {}
    if os.path.exists(results_path):
        with open(results_path) as handle:
            results = json.load(handle)
    command = "python bench/translation.py " + " ".join(sys.argv[1:])
    for part, run in (("pix2pix", run_pix2pix), ("cyclegan", run_cyclegan)):
        if part in FLAGS.parts:
            start = time.time()
            results[part] = {"command": command.strip(), **run(seeds)}
            results[part]["wall_seconds"] = time.time() - start
            with open(results_path, "w") as handle:
                json.dump(results, handle, indent=1)
    lines = ["# Image-to-image translation (docs/protocols.md section 4)", ""]
    for part, table in (("pix2pix", pix2pix_table), ("cyclegan", cyclegan_table)):
        if part in results:
            lines += table(results[part]) + ["", f"Wall time of the part: {results[part]['wall_seconds']:.0f} s.", ""]
    pictures = [part_picture(part) for part in PARTS if part in results and os.path.exists(part_picture(part))]
    if pictures:
        picture = FLAGS.output.replace(".md", ".png")
        combine_pictures(pictures, picture)
        captions = {
            "pix2pix": "Pix2Pix rows input | L1-only U-Net | Pix2Pix | target ("
            + ", then ".join(results.get("pix2pix", {}).get("settings", {}).get("generator_steps", {}))
            + ")",
            "cyclegan": "CycleGAN rows a | G(a) | F(G(a)), then b | F(b) | G(F(b))",
        }
        shown = "; ".join(captions[part] for part in PARTS if part_picture(part) in pictures)
        lines.append(f"![held-out translations]({os.path.basename(picture)}) First seed, top to bottom: {shown}.")
    with open(FLAGS.output, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
