"""Classifier-based label accuracy: the CGAN metric of docs/protocols.md section 3."""
import numpy as np


def label_accuracy(classifier, images, labels, batch_size=256):
    """Share of `images` that `classifier` assigns to the requested integer `labels`.

    The CGAN metric of docs/protocols.md section 3 (CGAN: Mirza & Osindero 2014, arXiv:1411.1784).
    """
    labels = np.asarray(labels).reshape(-1)
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    if len(labels) == 0:
        raise ValueError("label_accuracy needs at least one image")
    probabilities = classifier.predict(images, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=-1) == labels))
