"""DANN's default networks: feature extractor g, label predictor h, domain classifier d (Ganin et al. 2016, arXiv:1505.07818).

Features and logits are float32 under a mixed-precision policy (losses and exports see float32).
"""
import keras

VECTOR_UNITS = 32  # PROTOCOLS.md section 2: 2 x Dense(32, relu) features for the moons
HEAD_UNITS = 100  # the paper's MNIST heads: fully connected layers of 100 units


def build_feature_extractor(input_shape, name="feature_extractor"):
    """g: images -> the paper's MNIST convolutions (32 and 48 filters of 5x5, each max-pooled), flattened;
    vectors -> 2 x Dense(32, relu)."""
    inputs = keras.Input(tuple(input_shape), name="inputs")
    if len(input_shape) == 3:
        x = keras.layers.Conv2D(32, 5, padding="same", activation="relu")(inputs)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Conv2D(48, 5, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        outputs = keras.layers.Flatten(dtype="float32", name="features")(x)
    elif len(input_shape) == 1:
        x = keras.layers.Dense(VECTOR_UNITS, activation="relu")(inputs)
        outputs = keras.layers.Dense(VECTOR_UNITS, activation="relu", dtype="float32", name="features")(x)
    else:
        raise ValueError(f"DANN's default networks take images (H, W, C) or vectors (D,), got input_shape {tuple(input_shape)}")
    return keras.Model(inputs, outputs, name=name)


def build_label_head(feature_shape, num_classes, hidden_layers=2, name="label_head"):
    """h: features -> class logits, through `hidden_layers` Dense(100, relu) (the paper's MNIST head has 2)."""
    inputs = keras.Input(tuple(feature_shape), name="features")
    x = inputs
    for _ in range(hidden_layers):
        x = keras.layers.Dense(HEAD_UNITS, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, dtype="float32", name="logits")(x), name=name)


def build_domain_head(feature_shape, name="domain_head"):
    """d: features -> one logit of "target domain", through Dense(100, relu) (the paper's MNIST domain classifier)."""
    inputs = keras.Input(tuple(feature_shape), name="features")
    x = keras.layers.Dense(HEAD_UNITS, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, dtype="float32", name="logits")(x), name=name)
