"""The generator as a SavedModel with named signatures, for TF Serving."""
import keras
import tensorflow as tf

from kerasgan.export import versions


def saved_model(model, base_path, version=None):
    """Writes `model`'s generator to base_path/<version>/ (next free when None); returns the path.

    Signature `serving_default`: `z` float32 [None, latent_dim] -> `images` float32 in [-1, 1].
    """
    latent = tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")

    def serving_default(z):
        return {"images": tf.cast(model.generator(z, training=False), tf.float32)}

    def write(path):
        archive = keras.export.ExportArchive()
        archive.track(model.generator)
        archive.add_endpoint("serving_default", serving_default, input_signature=[latent])
        archive.write_out(path, verbose=False)

    return versions.write_version(base_path, version, write)
