"""TensorFlow Datasets with an "image" feature, read with tfds.load."""

import tensorflow as tf
import tensorflow_datasets as tfds

from kerasgan.data.images import to_model_range

UNPAIRED_TFDS = ("cycle_gan",)
DOMAIN_SPLITS = ("train", "test")


def is_tfds_name(name):
    """Whether `name` ("mnist", "cycle_gan/horse2zebra", ...) is in the installed TFDS catalog, offline."""
    try:
        dataset_name, _ = tfds.core.naming.parse_builder_name_kwargs(name)
        tfds.builder_cls(str(dataset_name))
    except ValueError:  # unparsable name, or tfds.core.registered.DatasetNotFoundError
        return False
    return True


def _image_features(name, data_dir, with_labels):
    """Checks the dataset's features offline and returns the static shape of its images."""
    kwargs = {} if data_dir is None else {"data_dir": data_dir}
    features = tfds.builder(name, **kwargs).info.features
    have = ", ".join(sorted(features.keys()))
    if "image" not in features.keys():
        raise ValueError(f"TFDS dataset {name!r} has no 'image' feature (it has: {have})")
    if with_labels and "label" not in features.keys():
        raise ValueError(
            f"with_labels=True needs a 'label' feature, but TFDS dataset {name!r} has only: {have}"
        )
    return tuple(features["image"].shape)


def load_tfds(name, split, shuffle, seed, with_labels, image_size, channels, num_samples, data_dir):
    """Returns the unbatched (image[, label]) dataset in [-1, 1] and its example count (None if unknown)."""
    image_shape = _image_features(name, data_dir, with_labels)
    if image_size is None and None in image_shape[:2]:
        raise ValueError(f"TFDS dataset {name!r} has images of varying size {image_shape}: pass image_size")
    kwargs = {} if data_dir is None else {"data_dir": data_dir}
    dataset = tfds.load(
        name, split=split, shuffle_files=shuffle, read_config=tfds.ReadConfig(shuffle_seed=seed), **kwargs
    )
    if num_samples is not None:
        dataset = dataset.take(num_samples)
    size = None if image_size is None else (image_size, image_size)

    def prepare(example):
        image = to_model_range(example["image"], size, channels)
        return (image, tf.cast(example["label"], tf.int32)) if with_labels else image

    num_examples = int(dataset.cardinality())
    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset, (num_examples if num_examples >= 0 else None)


def tfds_num_classes(name, data_dir=None):
    """The `label` feature's class count, read offline from the dataset's info."""
    kwargs = {} if data_dir is None else {"data_dir": data_dir}
    features = tfds.builder(name, **kwargs).info.features
    if "label" not in features:
        raise ValueError(f"TFDS dataset {name!r} has no label feature (it has {', '.join(features)})")
    return int(features["label"].num_classes)


def domain_splits(name, split):
    """(split + "A", split + "B") for split "train" or "test" of a CycleGAN dataset (UNPAIRED_TFDS), else None."""
    dataset_name, _ = tfds.core.naming.parse_builder_name_kwargs(name)
    if dataset_name.name in UNPAIRED_TFDS and split in DOMAIN_SPLITS:
        return split + "A", split + "B"
    return None


def load_tfds_domains(name, split, shuffle, seed, image_size, channels, num_samples, data_dir):
    """Unbatched image datasets in [-1, 1] and sizes of the A and B splits of a CycleGAN dataset's `split`."""
    return tuple(
        load_tfds(name, domain_split, shuffle, seed, False, image_size, channels, num_samples, data_dir)
        for domain_split in domain_splits(name, split)
    )
