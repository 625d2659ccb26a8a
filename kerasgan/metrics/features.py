"""Features of image sets for the sample-quality metrics: the FID Inception network, the offline digits
classifiers or any Keras model.

FID Inception: TensorFlow's inception-2015-12-05 graph up to pool_3 (Szegedy et al. 2016,
arXiv:1512.00567), the features of FID (Heusel et al. 2017, arXiv:1706.08500); see
kerasgan.metrics.inception. It runs as one traced function for every batch size, image size and
channel count, in bfloat16 unless precision="float32".
"""
import itertools
import weakref

import keras
import numpy as np
import tensorflow as tf

from kerasgan.metrics.classifier import digits_classifier
from kerasgan.metrics.inception import MODEL_NAME as INCEPTION_NAME
from kerasgan.metrics.inception import fid_inception

BATCH_SIZE = 256
INCEPTION_BATCH_SIZE = 50
DIGITS_LAYER = "features"
EXTRACTORS = ("inception", "digits")
_FORWARDS = weakref.WeakKeyDictionary()  # FID network -> its traced forward pass


def feature_model(feature_extractor, layer=None):
    """`feature_extractor` (a keras.Model), or its sub-model from the input to the layer named `layer`."""
    if not isinstance(feature_extractor, keras.Model):
        raise ValueError(f"feature_extractor must be a keras.Model, got {type(feature_extractor).__name__}")
    if layer is None:
        return feature_extractor
    if getattr(feature_extractor, "inputs", None) is None:
        raise ValueError(f"layer={layer!r} needs a functional or Sequential model, got the subclassed {feature_extractor.name}")
    names = [each.name for each in feature_extractor.layers]
    if layer not in names:
        raise ValueError(f"{feature_extractor.name} has no layer {layer!r}: use one of {', '.join(names)}")
    output = feature_extractor.get_layer(layer).output
    return keras.Model(feature_extractor.inputs, output, name=f"{feature_extractor.name}_{layer}")


def digits_feature_extractor(image_shape):
    """The "features" layer (128 units) of the offline digits classifier for square images (S, S, 1) or (S, S, 3).

    Digits classifier for 1 channel, digits_m classifier for 3 (kerasgan.metrics.digits_classifier,
    trained once and cached): meaningful for digits-like images in [-1, 1], and its distances
    compare only within kerasgan.
    """
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[0] != image_shape[1] or image_shape[2] not in (1, 3) or image_shape[0] is None:
        raise ValueError(
            f"feature_extractor='digits' is a digits classifier for square images (S, S, 1) or (S, S, 3), got images "
            f"of shape {image_shape}: use feature_extractor='inception' (the default) or a keras.Model"
        )
    dataset = "digits" if image_shape[2] == 1 else "digits_m"
    return feature_model(digits_classifier(int(image_shape[0]), dataset=dataset), DIGITS_LAYER)


def _dataset_images(dataset):
    """The image batches of a tf.data.Dataset of batches (B, H, W, C) or of (batch, ...) tuples, else ValueError."""
    spec = dataset.element_spec
    if isinstance(spec, (tuple, list)):
        dataset, spec = dataset.map(lambda *parts: parts[0]), spec[0]
    if not isinstance(spec, tf.TensorSpec) or spec.shape.rank != 4:
        raise ValueError(
            f"a dataset must yield image batches (B, H, W, C) or (batch, ...) tuples, got elements {spec}: "
            "batch it with dataset.batch(n)"
        )
    return dataset


def _image_array(images):
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"images must be an array (N, H, W, C) or a tf.data.Dataset of such batches, got shape {images.shape} "
            "(features? use the *_from_features functions)"
        )
    return images


def image_shape(images):
    """(H, W, C) of an image array (N, H, W, C) or of the batches of a tf.data.Dataset (its first batch if the spec is open)."""
    if isinstance(images, tf.data.Dataset):
        images = _dataset_images(images)
        shape = tuple(images.element_spec.shape[1:])
        if None in shape:
            shape = next(images.take(1).as_numpy_iterator()).shape[1:]
        return tuple(shape)
    return _image_array(images).shape[1:]


def _image_batches(images, batch_size):
    """float32 numpy batches (B, H, W, C) of an array (N, H, W, C) or of a tf.data.Dataset of batches or (batch, ...) tuples."""
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if isinstance(images, tf.data.Dataset):
        for batch in _dataset_images(images).as_numpy_iterator():
            yield batch.astype(np.float32, copy=False)
        return
    images = _image_array(images)
    for start in range(0, len(images), batch_size):
        yield images[start:start + batch_size].astype(np.float32, copy=False)


def resolve_feature_extractor(images, feature_extractor=None, layer=None, precision=None):
    """The keras.Model that `feature_extractor` names for `images`.

    Args:
        images: the (real) images, an array (N, H, W, C) or a tf.data.Dataset of batches; only
            their shape is read, for "digits".
        feature_extractor: None or "inception": fid_inception(), FID's network for images of any
            size with 1 or 3 channels; "digits": digits_feature_extractor for the shape of
            `images`; a keras.Model: itself, or with `layer` its sub-model up to that layer.
        layer: a layer name of a keras.Model feature_extractor; None for the named ones.
        precision: for "inception" only, "bfloat16" or "float32" (see fid_inception); None: the
            default, bfloat16.

    The metrics resolve the extractor once, from the real images, so fake images of another
    shape fail the input check instead of being compared through another classifier.
    """
    if feature_extractor is None or isinstance(feature_extractor, str):
        name = feature_extractor or "inception"
        if name not in EXTRACTORS:
            raise ValueError(f"unknown feature_extractor {name!r}: use one of {', '.join(EXTRACTORS)} or a keras.Model")
        if layer is not None:
            raise ValueError(f"layer={layer!r} picks a layer of a keras.Model feature_extractor: leave it out for {name!r}")
        if name == "inception":
            return _inception(images, precision)
    if precision is not None:
        raise ValueError(
            f"precision={precision!r} sets the FID Inception network's arithmetic: leave it out for other feature extractors"
        )
    if feature_extractor == "digits":
        return digits_feature_extractor(image_shape(images))
    return feature_model(feature_extractor, layer)


def _inception(images, precision):
    """fid_inception in `precision` (None: its default) for images of shape (H, W, 1 or 3), else ValueError."""
    shape = tuple(image_shape(images))
    if len(shape) != 3 or shape[-1] not in (1, 3):
        raise ValueError(f"FID Inception takes images (H, W, 1 or 3), got images of shape {shape}: convert them to grey or RGB")
    return fid_inception() if precision is None else fid_inception(precision=precision)


def _check_input_shape(model, image_shape):
    inputs = getattr(model, "inputs", None)
    if inputs is None:  # a subclassed model: its call decides
        return
    if len(inputs) != 1:
        raise ValueError(f"feature_extractor {model.name} must take one input, it takes {len(inputs)}")
    expected = tuple(inputs[0].shape[1:])
    if len(expected) != len(image_shape) or any(e is not None and e != s for e, s in zip(expected, image_shape)):
        raise ValueError(
            f"feature_extractor {model.name} takes images of shape {expected}, got images of shape {tuple(image_shape)}: "
            "resize the images or pass a feature_extractor for this shape"
        )


def traced_forward(model):
    """The FID network `model` as one tf.function over float32 images (B, H, W, C) of any B, H, W and C.

    Traced once per model: a last partial batch, another image size or grey after RGB run the same
    graph (the network resizes to 299x299 and repeats grey inside it), where model.predict_on_batch
    would retrace for new shapes.
    """
    if model not in _FORWARDS:
        network = weakref.ref(model)  # the table must not keep the model alive
        _FORWARDS[model] = tf.function(
            lambda images: network()(images, training=False), input_signature=[tf.TensorSpec([None] * 4, tf.float32)]
        )
    return _FORWARDS[model]


def _forward(model):
    """How `model` runs on a batch: the FID network through traced_forward, any other model by predict_on_batch."""
    if model.name == INCEPTION_NAME:
        return traced_forward(model)
    return model.predict_on_batch


def feature_batches(images, feature_extractor=None, layer=None, batch_size=None, precision=None):
    """Yields float32 features (B, d) of `images` batch by batch, so a whole set never has to be in memory.

    Args:
        images: a numpy array (N, H, W, C) or a tf.data.Dataset of image batches (or of (images,
            labels) tuples), in [-1, 1].
        feature_extractor: None or "inception" (FID's network, Heusel et al. 2017, arXiv:1706.08500),
            "digits", or a keras.Model whose output is (B, d); see resolve_feature_extractor.
        layer: with a keras.Model, the name of the layer whose output is taken.
        batch_size: images per forward pass of an array; None: 50 for Inception (its 299x299
            activations take about 16 MB per image in float32, 8 in bfloat16, and larger batches
            are no faster on CPU), 256 otherwise. A dataset keeps its batches.
        precision: with "inception" (or None), "bfloat16" or "float32" (see
            kerasgan.metrics.fid_inception); None: bfloat16. Not for other extractors.
    """
    model = resolve_feature_extractor(images, feature_extractor, layer, precision)
    if batch_size is None:
        batch_size = INCEPTION_BATCH_SIZE if model.name == INCEPTION_NAME else BATCH_SIZE
    batches = _image_batches(images, batch_size)
    first = next(batches, None)
    if first is None or len(first) == 0:
        raise ValueError("got no images")
    shape = first.shape[1:]
    _check_input_shape(model, shape)
    forward = _forward(model)
    for batch in itertools.chain([first], batches):
        if batch.shape[1:] != shape:
            raise ValueError(f"all image batches must have one image shape, got {shape} then {batch.shape[1:]}")
        features = forward(batch)
        if isinstance(features, (list, tuple, dict)):
            raise ValueError(f"feature_extractor {model.name} has several outputs: pass layer= to pick one")
        features = np.asarray(features, dtype=np.float32)
        if features.ndim != 2:
            raise ValueError(
                f"feature_extractor {model.name} must output (batch, features), got {features.shape}: "
                "pass layer= naming a flat layer or end the model with a pooling layer"
            )
        if not np.all(np.isfinite(features)):
            raise ValueError(f"feature_extractor {model.name} produced NaN or inf features (non-finite images?)")
        yield features


def extract_features(images, feature_extractor=None, layer=None, batch_size=None, precision=None):
    """All features (N, d) float32 of `images`; arguments as feature_batches.

    extract_features(images, "inception") runs the FID network in bfloat16;
    extract_features(images, "inception", precision="float32") in the original graph's float32.
    """
    return np.concatenate(list(feature_batches(images, feature_extractor, layer, batch_size, precision)))


def features_array(features, name="features"):
    """`features` as a finite float32 or float64 array (N, d) with N >= 2, else ValueError."""
    features = np.asarray(features)
    if features.dtype not in (np.float32, np.float64):
        features = features.astype(np.float64)
    if features.ndim != 2 or len(features) < 2 or features.shape[1] == 0:
        raise ValueError(f"{name} must be an array (N, d) with N >= 2 samples and d >= 1, got shape {features.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name} contain NaN or inf")
    return features


def feature_pair(real_features, fake_features):
    """Both feature sets checked by features_array and of one feature dimension, else ValueError."""
    real, fake = features_array(real_features, "real_features"), features_array(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real and fake features must have one dimension, got {real.shape[1]} and {fake.shape[1]}: "
            "use one feature_extractor for both"
        )
    return real, fake
