"""Small CNNs trained on digit sets (digits, digits_m, MNIST, MNIST-M): the judges of label accuracy and label
preservation (docs/protocols.md sections 3 and 4), and the digits-classifier feature extractor."""
import os
import warnings

import keras
import tensorflow as tf

from kerasgan import data
from kerasgan.data import digits_m
from kerasgan.metrics.conditional import label_accuracy
from kerasgan.saving import save_atomically

CHANNELS = {"digits": 1, "digits_m": 3, "mnist": 1, "mnist_m": 3}
MIN_ACCURACY = {"digits": 0.97, "digits_m": 0.97, "mnist": 0.99, "mnist_m": 0.95}
# digits_m: on its own train split this CNN reached 0.953 (40 epochs, cosine decay); with the
# train digits also blended over 8 fresh photo crops each, 0.978 after 12 epochs (0.972 with 4
# crops; 0.978 with 4 crops and 20 epochs).
EXTRA_BACKGROUNDS = {"digits": 0, "digits_m": 8, "mnist": 0, "mnist_m": 0}
EPOCHS = {"digits": 15, "digits_m": 16, "mnist": 6, "mnist_m": 10}
COSINE_DECAY = {"digits": False, "digits_m": True, "mnist": True, "mnist_m": True}
DEFAULT_IMAGE_SIZE = {"digits": 32, "digits_m": 32, "mnist": 28, "mnist_m": 28}
LEARNING_RATE = 1e-3
BATCH_SIZE = 64
FEATURES = 128


def default_cache_dir():
    """$KERASGAN_CACHE, else ~/.cache/kerasgan."""
    return os.environ.get("KERASGAN_CACHE") or os.path.expanduser(os.path.join("~", ".cache", "kerasgan"))


def check_dataset(dataset):
    """Raises ValueError unless a classifier exists for `dataset`."""
    if dataset not in CHANNELS:
        raise ValueError(f"no classifier for dataset {dataset!r}: use one of {', '.join(CHANNELS)}")


def digits_arrays(split, image_size, dataset="digits"):
    """Every image of `split` as numpy images (N, S, S, 1 for digits, 3 for digits_m) in [-1, 1] and int32 labels (N,)."""
    check_dataset(dataset)
    return data.examples(dataset, split, image_size=image_size, with_labels=True)


def build_classifier(image_size, seed=0, dataset="digits"):
    """Conv-pool x2, Dense "features", Dropout, Dense(10, softmax); every random op seeded, no global seed."""
    check_dataset(dataset)

    def init(offset):
        return keras.initializers.GlorotUniform(seed=seed + offset)

    inputs = keras.Input((image_size, image_size, CHANNELS[dataset]))
    x = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, seed=seed)(inputs)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu", kernel_initializer=init(1))(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu", kernel_initializer=init(2))(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(FEATURES, activation="relu", kernel_initializer=init(3), name="features")(x)
    x = keras.layers.Dropout(0.3, seed=seed)(x)
    outputs = keras.layers.Dense(10, activation="softmax", kernel_initializer=init(4), name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"{dataset}_classifier_{image_size}")


def train_classifier(image_size, dataset="digits"):
    """Trains on the "train" split of `dataset`; raises RuntimeError below MIN_ACCURACY[dataset] on "test"."""
    model = build_classifier(image_size, dataset=dataset)
    train = data.load(dataset, image_size=image_size, batch_size=BATCH_SIZE, split="train", with_labels=True, seed=0)
    if EXTRA_BACKGROUNDS[dataset]:
        blends, labels = digits_m.fresh_blends("train", image_size, copies=EXTRA_BACKGROUNDS[dataset])
        extra = tf.data.Dataset.from_tensor_slices((blends * 2.0 - 1.0, labels.astype("int32")))
        train = train.unbatch().concatenate(extra).shuffle(len(labels) * 2, seed=0).batch(BATCH_SIZE)
    rate = LEARNING_RATE
    if COSINE_DECAY[dataset]:
        rate = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, EPOCHS[dataset] * len(train))
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy")
    model.fit(train, epochs=EPOCHS[dataset], shuffle=False, verbose=0)
    accuracy = label_accuracy(model, *digits_arrays("test", image_size, dataset))
    if accuracy < MIN_ACCURACY[dataset]:
        raise RuntimeError(
            f"{dataset} classifier reached {accuracy:.3f} held-out accuracy, below {MIN_ACCURACY[dataset]}"
        )
    return model


def digits_classifier(image_size=None, cache_dir=None, dataset="digits"):
    """The CNN of a digit set, trained once on its train split and cached as <dataset>_classifier_<image_size>.keras.

    Args:
        image_size: the square input size; None: 32 for digits and digits_m, 28 (native) for mnist and mnist_m.
        cache_dir: where the trained model is kept; None: $KERASGAN_CACHE, else ~/.cache/kerasgan.
        dataset: "digits", "digits_m", "mnist" or "mnist_m" (MNIST-M as in Ganin et al. 2016, arXiv:1505.07818).

    Returns a keras.Model from images in [-1, 1] (1 channel for digits and mnist, 3 for digits_m and
    mnist_m) to softmax (B, 10); its penultimate layer is `model.get_layer("features")`. Training
    fails with RuntimeError below MIN_ACCURACY on the test split (mnist 0.99, mnist_m 0.95). A
    cache file that fails to load is retrained with a warning.
    """
    check_dataset(dataset)
    image_size = DEFAULT_IMAGE_SIZE[dataset] if image_size is None else image_size
    if not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < 4:
        raise ValueError(f"image_size must be an integer >= 4, got {image_size!r}")
    cache_dir = os.path.expanduser(cache_dir or default_cache_dir())
    path = os.path.join(cache_dir, f"{dataset}_classifier_{image_size}.keras")
    if os.path.exists(path):
        try:
            return keras.saving.load_model(path)
        except Exception as error:  # any unreadable file: zip, HDF5 or config errors
            warnings.warn(f"retraining the {dataset} classifier: cannot load {path} ({error!r})", stacklevel=2)
    model = train_classifier(image_size, dataset)
    os.makedirs(cache_dir, exist_ok=True)
    save_atomically(model, path)
    return model
