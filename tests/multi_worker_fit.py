"""One worker of tests/test_multi_worker.py: a few DCGAN steps under MultiWorkerMirroredStrategy.

Usage: python multi_worker_fit.py OUTPUT_DIR (TF_CONFIG names the cluster and this worker).
Writes OUTPUT_DIR/worker_<index>.npz: the generator's and the discriminator's weights after
fitting, the optimizers' step counts, four fixed-seed samples (a distributed predict) and
whether distribute.is_chief holds for this worker.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasgan import distribute  # noqa: E402
from kerasgan.zoo import DCGAN  # noqa: E402


def main(output_dir):
    strategy = distribute.strategy("multi_worker")  # before any op: collectives are set up as the runtime starts
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    keras.utils.set_random_seed(0)
    # Each worker its own images: their weights stay equal only if the gradients are all-reduced.
    images = np.random.default_rng(index).uniform(-1, 1, (64, 16, 16, 1)).astype("float32")
    with strategy.scope():
        model = DCGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, seed=1)
        model.compile()
    model.fit(images, batch_size=16, epochs=1, verbose=0)  # 4 steps of a global batch of 16
    weights = {
        f"{network.name}/{i}": np.asarray(variable)
        for network in (model.generator, model.discriminator)
        for i, variable in enumerate(network.weights)
    }
    np.savez(
        os.path.join(output_dir, f"worker_{index}.npz"),
        chief=distribute.is_chief(strategy),
        iterations=[np.asarray(model.generator_optimizer.iterations), np.asarray(model.discriminator_optimizer.iterations)],
        samples=model.generate(4, seed=0),
        **weights,
    )


if __name__ == "__main__":
    main(sys.argv[1])
