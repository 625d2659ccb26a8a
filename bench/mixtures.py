"""Mode coverage on the 2-D Gaussian mixtures (docs/protocols.md section 1: the PacGAN / VEEGAN protocol).

    python bench/mixtures.py --dataset=grid25 --seeds=0,1,2,3,4 --epochs=6

Trains the MLP GAN of zoo/wgan_gp_grid25.flags (WGAN-GP: 3 x 512 ReLU, z 2, data scaled by its
std, 5 critic steps each on a fresh real batch of 256, penalty 0.1, Adam(--learning_rate, 0.5, 0.9),
500,000 points) once per seed; after every epoch draws 2,500 samples and scores modes captured,
high-quality share and reverse KL.
Writes a Markdown table of mean +- std over seeds per epoch (with generator steps) to
--output, and a scatter plot of the first seed's final samples to --scatter.
"""
import json
import os
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_enum("dataset", "grid25", ["grid25", "ring8"], "The mixture.")
flags.DEFINE_list("seeds", ["0", "1", "2", "3", "4"], "Training seeds.")
flags.DEFINE_integer("epochs", 6, "Epochs of 500,000 points (390 generator steps each: batches of 5 x 256).")
flags.DEFINE_float("learning_rate", 1e-4, "Adam learning rate of both networks (betas 0.5, 0.9, WGAN-GP's).")
flags.DEFINE_integer("eval_samples", 2500, "Samples drawn for each evaluation (the protocol's 2,500).")
flags.DEFINE_string("output", None, "Markdown table; default bench/results/mixtures_<dataset>.md.")
flags.DEFINE_string("scatter", None, "PNG of the first seed's samples; default bench/results/mixtures_<dataset>.png.")


def data_scale():
    """The mixture's spread: the per-axis std of its means (2.828 for grid25, as the WGAN-GP toy code divides by)."""
    import numpy as np

    from kerasgan import data

    return float(np.std(data.mixture_means(FLAGS.dataset)))


def train_and_score(seed):
    """One WGAN-GP run; returns [{epoch, steps, modes, hq_fraction, reverse_kl, seconds}] per epoch."""
    import keras

    from kerasgan import data, metrics
    from kerasgan.zoo import GAN

    keras.utils.set_random_seed(seed)
    scale = data_scale()
    dataset = data.load(FLAGS.dataset, batch_size=5 * 256, num_samples=500_000, seed=seed)
    model = GAN(
        data_dim=2, latent_dim=2, units=512, depth=3, data_scale=scale, loss="wasserstein",
        penalty="gp", penalty_weight=0.1, discriminator_steps=5, split_real_batch=True, seed=seed,
    )
    model.compile(
        generator_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5, beta_2=0.9),
        discriminator_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5, beta_2=0.9),
    )
    rows, start = [], time.time()

    class Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            samples = model.generate(FLAGS.eval_samples, seed=10_000 + epoch)
            score = metrics.mode_coverage(samples, FLAGS.dataset)
            steps = int(keras.ops.convert_to_numpy(model.generator_optimizer.iterations))
            rows.append({"epoch": epoch + 1, "steps": steps, "seconds": time.time() - start, **score})
            print(f"seed {seed} epoch {epoch + 1}: {rows[-1]}", flush=True)

    model.fit(dataset, epochs=FLAGS.epochs, verbose=0, callbacks=[Score()])
    return model, rows


def main(argv):
    del argv
    import numpy as np

    from kerasgan import plots

    output = FLAGS.output or f"bench/results/mixtures_{FLAGS.dataset}.md"
    scatter = FLAGS.scatter or f"bench/results/mixtures_{FLAGS.dataset}.png"
    os.makedirs(os.path.dirname(output), exist_ok=True)
    runs = {}
    for index, seed in enumerate(int(s) for s in FLAGS.seeds):
        model, runs[seed] = train_and_score(seed)
        if index == 0:
            plots.save_samples(model.generate(FLAGS.eval_samples, seed=0), scatter)
    lines = [
        f"WGAN-GP (MLP 3 x 512, z 2, data scale {data_scale():.3f}, 5 critic steps on fresh real batches "
        f"of 256, penalty 0.1, Adam({FLAGS.learning_rate:g}, 0.5, 0.9)) "
        f"on {FLAGS.dataset}, "
        f"seeds {', '.join(map(str, runs))}; {FLAGS.eval_samples} samples per evaluation; mean +- std over seeds.",
        "",
        "| epochs | generator steps | modes | high-quality samples | reverse KL | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for epoch in range(FLAGS.epochs):
        at = [rows[epoch] for rows in runs.values()]
        stat = lambda key, scale=1.0: f"{np.mean([r[key] for r in at]) * scale:.1f} +- {np.std([r[key] for r in at]) * scale:.1f}"  # noqa: E731, B023
        lines.append(
            f"| {epoch + 1} | {at[0]['steps']} | {stat('modes')} of {at[0]['num_modes']} | {stat('hq_fraction', 100)} % "
            f"| {np.mean([r['reverse_kl'] for r in at]):.3f} | {np.mean([r['seconds'] for r in at]):.0f} |"
        )
    with open(output, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(output.replace(".md", ".json"), "w") as handle:
        json.dump(runs, handle, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
