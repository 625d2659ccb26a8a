"""A small CNN trained on digits, the offline feature extractor of PROTOCOLS.md section 3."""
import os
import warnings

import keras

from kerasgan import data
from kerasgan.saving import save_atomically
from kerasgan.metrics.conditional import label_accuracy

MIN_ACCURACY = 0.97
EPOCHS = 15
BATCH_SIZE = 64
FEATURES = 128


def default_cache_dir():
    """$KERASGAN_CACHE, else ~/.cache/kerasgan."""
    return os.environ.get("KERASGAN_CACHE") or os.path.expanduser(os.path.join("~", ".cache", "kerasgan"))


def digits_arrays(split, image_size):
    """Every digit of `split` as numpy images (N, image_size, image_size, 1) in [-1, 1] and int32 labels (N,)."""
    dataset = data.load("digits", image_size=image_size, batch_size=1, split=split, with_labels=True, shuffle=False)
    return next(dataset.unbatch().batch(1_000_000).as_numpy_iterator())


def build_classifier(image_size, seed=0):
    """Conv-pool x2, Dense "features", Dropout, Dense(10, softmax); every random op seeded, no global seed."""

    def init(offset):
        return keras.initializers.GlorotUniform(seed=seed + offset)

    inputs = keras.Input((image_size, image_size, 1))
    x = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, seed=seed)(inputs)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu", kernel_initializer=init(1))(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu", kernel_initializer=init(2))(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(FEATURES, activation="relu", kernel_initializer=init(3), name="features")(x)
    x = keras.layers.Dropout(0.3, seed=seed)(x)
    outputs = keras.layers.Dense(10, activation="softmax", kernel_initializer=init(4), name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"digits_classifier_{image_size}")


def train_classifier(image_size):
    """Trains on the digits "train" split; raises RuntimeError below 97% accuracy on "test"."""
    model = build_classifier(image_size)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    train = data.load("digits", image_size=image_size, batch_size=BATCH_SIZE, split="train", with_labels=True, seed=0)
    model.fit(train, epochs=EPOCHS, shuffle=False, verbose=0)
    accuracy = label_accuracy(model, *digits_arrays("test", image_size))
    if accuracy < MIN_ACCURACY:
        raise RuntimeError(f"digits classifier reached {accuracy:.3f} held-out accuracy, below {MIN_ACCURACY}")
    return model


def digits_classifier(image_size=32, cache_dir=None):
    """The digits CNN (images in [-1, 1] -> softmax (B, 10)), trained once and cached as a .keras file.

    The penultimate layer is `model.get_layer("features")`. A cache file that fails to load
    is retrained with a warning.
    """
    if not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < 4:
        raise ValueError(f"image_size must be an integer >= 4, got {image_size!r}")
    cache_dir = os.path.expanduser(cache_dir or default_cache_dir())
    path = os.path.join(cache_dir, f"digits_classifier_{image_size}.keras")
    if os.path.exists(path):
        try:
            return keras.saving.load_model(path)
        except Exception as error:  # any unreadable file: zip, HDF5 or config errors
            warnings.warn(f"retraining the digits classifier: cannot load {path} ({error!r})", stacklevel=2)
    model = train_classifier(image_size)
    os.makedirs(cache_dir, exist_ok=True)
    save_atomically(model, path)
    return model
