"""DANN's default networks: feature extractor g, label predictor h, domain classifier d (Ganin et al. 2016, arXiv:1505.07818).

Features and logits are float32 under a mixed-precision policy (losses and exports see float32).
"""
import keras

from kerasgan.convolutions import Conv2D

VECTOR_UNITS = 32  # docs/protocols.md section 2: 2 x Dense(32, relu) features for the moons
HEAD_UNITS = 100  # the paper's MNIST heads: fully connected layers of 100 units


def build_feature_extractor(input_shape, random_invert=0.0, seed=None, name="feature_extractor"):
    """g: images -> the paper's MNIST convolutions (32 and 48 filters of 5x5, each max-pooled), flattened;
    vectors -> 2 x Dense(32, relu).

    `random_invert` (images in [-1, 1] only): the probability that a training image is inverted
    (x -> -x) before the convolutions, so g learns digits of either polarity from the source
    labels; identity at inference.
    """
    _check_rate("random_invert", random_invert, upper_inclusive=True)
    if random_invert and len(input_shape) != 3:
        raise ValueError(f"random_invert inverts images; input_shape {tuple(input_shape)} is not (H, W, C): leave it at 0")
    inputs = keras.Input(tuple(input_shape), name="inputs")
    if len(input_shape) == 3:
        x = _random_inversion(inputs, random_invert, seed) if random_invert else inputs
        x = Conv2D(32, 5, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        x = Conv2D(48, 5, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        outputs = keras.layers.Flatten(dtype="float32", name="features")(x)
    elif len(input_shape) == 1:
        x = keras.layers.Dense(VECTOR_UNITS, activation="relu")(inputs)
        outputs = keras.layers.Dense(VECTOR_UNITS, activation="relu", dtype="float32", name="features")(x)
    else:
        raise ValueError(f"DANN's default networks take images (H, W, C) or vectors (D,), got input_shape {tuple(input_shape)}")
    return keras.Model(inputs, outputs, name=name)


def _random_inversion(images, rate, seed):
    """keras.layers.RandomInvert on [-1, 1] images, by way of [0, 1]: the layer computes high - x,
    an inversion only for value ranges that start at 0."""
    x = keras.layers.Rescaling(0.5, offset=0.5)(images)
    x = keras.layers.RandomInvert(factor=(rate, rate), value_range=(0, 1), seed=seed, name="random_invert")(x)
    return keras.layers.Rescaling(2.0, offset=-1.0)(x)


def _check_rate(name, rate, upper_inclusive=False):
    """A probability: a number in [0, 1] ([0, 1) for a dropout rate), else a ValueError naming it."""
    number = isinstance(rate, (int, float)) and not isinstance(rate, bool)
    if not number or not (0 <= rate <= 1 if upper_inclusive else 0 <= rate < 1):
        bound = "[0, 1]" if upper_inclusive else "[0, 1)"
        raise ValueError(f"{name} is a probability: it must be a number in {bound}, got {rate!r}")


def build_label_head(feature_shape, num_classes, hidden_layers=2, dropout=0.0, name="label_head"):
    """h: features -> class logits, through `hidden_layers` Dense(100, relu) (the paper's MNIST head has 2).

    `dropout` (Srivastava et al. 2014): the rate dropped from the features and after each hidden layer.
    """
    _check_rate("dropout", dropout)
    inputs = keras.Input(tuple(feature_shape), name="features")
    x = keras.layers.Dropout(dropout)(inputs) if dropout else inputs
    for _ in range(hidden_layers):
        x = keras.layers.Dense(HEAD_UNITS, activation="relu")(x)
        x = keras.layers.Dropout(dropout)(x) if dropout else x
    return keras.Model(inputs, keras.layers.Dense(num_classes, dtype="float32", name="logits")(x), name=name)


def build_domain_head(feature_shape, hidden_layers=1, dropout=0.0, name="domain_head"):
    """d: features -> one logit of "target domain", through `hidden_layers` Dense(100, relu) (the paper's MNIST
    domain classifier has 1), each followed by `dropout`."""
    _check_rate("dropout", dropout)
    if isinstance(hidden_layers, bool) or not isinstance(hidden_layers, int) or hidden_layers < 1:
        raise ValueError(
            f"domain_depth must be an integer >= 1 (hidden layers of the domain classifier; 1 in the paper), got {hidden_layers!r}"
        )
    inputs = keras.Input(tuple(feature_shape), name="features")
    x = inputs
    for _ in range(hidden_layers):
        x = keras.layers.Dense(HEAD_UNITS, activation="relu")(x)
        x = keras.layers.Dropout(dropout)(x) if dropout else x
    return keras.Model(inputs, keras.layers.Dense(1, dtype="float32", name="logits")(x), name=name)
