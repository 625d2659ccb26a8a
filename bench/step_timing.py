"""What a list of step times says: shared by the Keras and the PyTorch timings (no TensorFlow or torch import)."""
import numpy as np


def summary(intervals, first, batch_size):
    """Median step time, its spread and images/s of timed `intervals` (seconds); `first`: the first step's seconds."""
    median = float(np.median(intervals))
    return {
        "median_ms": 1000 * median,
        "p25_ms": 1000 * float(np.percentile(intervals, 25)),
        "p75_ms": 1000 * float(np.percentile(intervals, 75)),
        "timed_steps": len(intervals),
        "images_per_s": batch_size / median,
        "first_step_s": float(first),
    }
