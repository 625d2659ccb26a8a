"""What a model's training batches hold, declared once per model and checked by `fit` before tracing.

A model's `batch()` returns a `Batch`: its parts (`Part`: a name, the shape of one example,
and a kind) in the structure a dataset yields them, e.g. `images`, `(images, labels)` or
`((source, target), labels)` for domain adaptation. `Batch.check_dataset` and `Batch.check_arrays`
turn a wrong structure, shape, dtype, image range or label into one line naming the part and
the fix, and scale uint8 images to [-1, 1].
"""
import numpy as np
import tensorflow as tf

from kerasgan import images as image_checks

IMAGES, FLOATS, LABELS = "images", "floats", "labels"


class Part:
    """One tensor of a training batch.

    Args:
        name: what the part is called in messages ("images", "targets", "labels").
        shape: the shape of one example, without the batch axis (() for a label).
        kind: "images" (uint8, scaled by fit, or floats in [-1, 1]), "floats" (any range) or
            "labels" (integers in [0, num_classes)).
        num_classes: the number of classes of a "labels" part.
    """

    def __init__(self, name, shape, kind=IMAGES, num_classes=None):
        self.name, self.shape, self.kind, self.num_classes = name, tuple(shape), kind, num_classes
        if kind == IMAGES and len(self.shape) != 3:
            self.kind = FLOATS  # vectors: no range to check

    def check_spec(self, spec, source, model_name, alone):
        """Raises ValueError when a batched TensorSpec (or array shape and dtype) cannot be this part."""
        shape, dtype = tuple(spec.shape), tf.as_dtype(spec.dtype)
        what = f"{source} batches" if alone else f"{source} {self.name} batches"
        if self.kind == LABELS:
            if not dtype.is_integer:
                raise ValueError(f"{model_name}'s {self.name} must be integers in [0, {self.num_classes}), got {dtype.name}")
            return
        if alone and len(shape) == len(self.shape) and all(a in (None, b) for a, b in zip(shape, self.shape)):
            raise ValueError(f"{source} single examples of shape {shape}: batch it (dataset.batch(64))")
        expected = (None,) + self.shape
        if len(shape) != len(expected) or any(a not in (None, b) for a, b in zip(shape[1:], expected[1:])):
            raise ValueError(
                f"{what} of shape {shape} but {model_name} takes {expected} "
                f"(batch, {', '.join(map(str, self.shape))}): resize the data or build the model for this shape"
            )
        if self.kind == IMAGES and not (dtype.is_floating or dtype == tf.uint8):
            raise ValueError(
                f"{what} of {dtype.name} values but {model_name} takes uint8 images or floats in [-1, 1]: "
                "convert with x.astype('uint8') (from [0, 255]) or scale with x / 127.5 - 1 (kerasgan.data.load does this)"
            )
        if self.kind == FLOATS and not dtype.is_floating:
            raise ValueError(f"{what} of {dtype.name} values but {model_name} takes floats: convert with x.astype('float32')")

    def check_values(self, values, role, model_name):
        """Raises ValueError when a numpy batch of this part holds bad values (image range, labels)."""
        if self.kind == IMAGES:
            image_checks.check_images(values, role, model_name)
        elif self.kind == LABELS:
            image_checks.check_labels(values, self.num_classes, role)


class Batch:
    """The structure of a model's training batches and how to make them.

    Args:
        model_name: the model's class name, for messages.
        parts: a `Part`, or a tuple of parts and tuples of parts, as a dataset yields them.
        how_to_make: the fix for a dataset of another structure, e.g. "load it with
            kerasgan.data.load(..., with_labels=True)".
        arrays: whether fit takes numpy arrays (x, and y for the second part) besides datasets.
        min_size: the smallest batch the training step can split (None: any).
        min_size_reason: why, for the message.
    """

    def __init__(self, model_name, parts, how_to_make, arrays=True, min_size=None, min_size_reason=""):
        self.model_name, self.parts, self.how_to_make = model_name, parts, how_to_make
        self.arrays, self.min_size, self.min_size_reason = arrays, min_size, min_size_reason

    def _flat(self):
        return tf.nest.flatten(self.parts, expand_composites=False) if isinstance(self.parts, tuple) else [self.parts]

    def describe(self):
        """The structure in words, e.g. "((source, target), labels)"."""
        return _describe(self.parts)

    # --- datasets --------------------------------------------------------------------------

    def check_dataset(self, dataset):
        """`dataset` with its uint8 images mapped to [-1, 1], after checking its structure, shapes and first batch."""
        spec = dataset.element_spec
        if isinstance(spec, list):
            spec = tuple(spec)
        if isinstance(self.parts, Part) and isinstance(spec, tuple) and len(spec) >= 1 and not isinstance(spec[0], tuple):
            spec = spec[0]  # (x, y) datasets of a model that reads only x: y is ignored
            dataset = dataset.map(lambda *batch: batch[0])
        if not _same_structure(self.parts, spec):
            raise ValueError(
                f"{self.model_name} trains on {self.describe()} batches but the dataset yields {_describe_spec(spec)}: "
                f"{self.how_to_make}"
            )
        parts, specs = self._flat(), tf.nest.flatten(spec)
        for part, part_spec in zip(parts, specs):
            if isinstance(part_spec, tf.TensorSpec):
                part.check_spec(part_spec, "the dataset yields", self.model_name, alone=len(parts) == 1)
        first = next(iter(dataset.take(1)), None)
        if first is not None:
            for part, values in zip(parts, tf.nest.flatten(first)):
                part.check_values(np.asarray(values), f"the dataset's {part.name}", self.model_name)
            self._check_size(len(np.asarray(tf.nest.flatten(first)[0])))
        uint8 = [part.kind == IMAGES and specs[index].dtype == tf.uint8 for index, part in enumerate(parts)]
        if not any(uint8):
            return dataset
        if not isinstance(spec, tuple):
            return dataset.map(image_checks.from_uint8, num_parallel_calls=tf.data.AUTOTUNE)

        def scale(*batch):
            flat = [image_checks.from_uint8(value) if scaled else value for value, scaled in zip(tf.nest.flatten(batch), uint8)]
            return tf.nest.pack_sequence_as(spec, flat)

        return dataset.map(scale, num_parallel_calls=tf.data.AUTOTUNE)

    def _check_size(self, count):
        if self.min_size and count < self.min_size:
            raise ValueError(
                f"{self.min_size_reason}, but the batch holds {count} samples: use a batch of at least "
                f"{self.min_size} (a multiple of it)"
            )

    # --- arrays ----------------------------------------------------------------------------

    def check_arrays(self, x, y):
        """(x, y) with uint8 image arrays scaled to [-1, 1], after checking shapes, dtypes and values."""
        parts = self.parts if isinstance(self.parts, tuple) else (self.parts,)
        if not self.arrays or any(isinstance(part, tuple) for part in parts):
            raise ValueError(f"{self.model_name} trains on a tf.data.Dataset of {self.describe()} batches: {self.how_to_make}")
        if len(parts) == 2 and y is None:
            names = ", ".join(part.name for part in parts)
            raise ValueError(
                f"{self.model_name} trains on ({names}): pass fit({parts[0].name}, {parts[1].name}) or a dataset of pairs"
            )
        given = [x, y]
        for index, part in enumerate(parts):
            value = given[index]
            if not isinstance(value, (np.ndarray, tf.Tensor)):
                continue
            array = np.asarray(value)
            part.check_spec(tf.TensorSpec((None,) + array.shape[1:], array.dtype), "x has" if index == 0 else "y has",
                            self.model_name, alone=len(parts) == 1)
            part.check_values(array, part.name, self.model_name)
            if part.kind == IMAGES and array.dtype == np.uint8:
                given[index] = array.astype("float32") / 127.5 - 1.0
        if hasattr(given[0], "__len__"):
            self._check_size(len(given[0]))
        return given[0], given[1]


def _same_structure(parts, spec):
    if isinstance(parts, Part):
        return not isinstance(spec, tuple)
    return isinstance(spec, tuple) and len(spec) == len(parts) and all(map(_same_structure, parts, spec))


def _describe(parts):
    if isinstance(parts, Part):
        return parts.name
    return "(" + ", ".join(map(_describe, parts)) + ")"


def _describe_spec(spec):
    if isinstance(spec, tuple):
        return "(" + ", ".join(map(_describe_spec, spec)) + ")"
    if isinstance(spec, tf.TensorSpec):
        return f"{tf.as_dtype(spec.dtype).name} {tuple(spec.shape)}"
    return type(spec).__name__
