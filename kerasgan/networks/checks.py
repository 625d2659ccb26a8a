"""Checks that networks passed to a model fit it: one line naming the network and the fix."""
import keras

from kerasgan import packing


def check_network(role, network):
    """Raises ValueError unless `network` is a built keras.Model."""
    if not isinstance(network, keras.Model) or not network.built:
        raise ValueError(f"{role} must be a built keras.Model (e.g. a functional model), got {network!r}")


def check_generator(generator, latent_dim, sample_shape):
    """Raises ValueError unless `generator` maps latent_dim to sample_shape (a user's network)."""
    check_network("generator", generator)
    takes, makes = int(generator.inputs[0].shape[-1]), tuple(generator.outputs[0].shape[1:])
    if (takes, makes) != (latent_dim, tuple(sample_shape)):
        raise ValueError(
            f"the given generator maps {takes} to {makes}, which disagrees with latent_dim={latent_dim} "
            f"and sample shape {tuple(sample_shape)}: leave those out or make them match"
        )


def image_settings(model_name, image_shape, latent_dim, generator, default_latent_dim=100):
    """(image_shape, latent_dim) as given, else read off a given generator, which must agree with them."""
    if generator is not None:
        check_network("generator", generator)
        image_shape = tuple(int(d) for d in generator.outputs[0].shape[1:]) if image_shape is None else image_shape
        latent_dim = int(generator.inputs[0].shape[-1]) if latent_dim is None else latent_dim
        check_generator(generator, latent_dim, image_shape)
    if image_shape is None:
        raise ValueError(f"{model_name} needs image_shape, e.g. {model_name}(image_shape=(32, 32, 1)), or a generator")
    return tuple(int(d) for d in image_shape), default_latent_dim if latent_dim is None else latent_dim


def vector_settings(data_dim, latent_dim, generator, default=2):
    """(data_dim, latent_dim) as given, else read off a given generator, else `default` each."""
    if generator is not None:
        check_network("generator", generator)
        data_dim = data_dim or int(generator.outputs[0].shape[-1])
        latent_dim = latent_dim or int(generator.inputs[0].shape[-1])
    data_dim, latent_dim = data_dim or default, latent_dim or default
    if generator is not None:
        check_generator(generator, latent_dim, (data_dim,))
    return data_dim, latent_dim


def check_fit(generator, discriminator, pack=1):
    """Raises ValueError unless G's first input is (batch, latent) and its output, packed `pack` at a time
    (kerasgan.packing), fits D's first input."""
    if len(generator.inputs[0].shape) != 2:
        raise ValueError(f"the generator's first input must be z of shape (batch, latent_dim), got {generator.inputs[0].shape}")
    produced = tuple(generator.outputs[0].shape[1:])
    expected = tuple(discriminator.inputs[0].shape[1:])
    if pack > 1 and packing.packed_shape(produced, pack) != expected:
        raise ValueError(
            f"the generator makes samples of shape {produced}, packs of {pack} of them have shape "
            f"{packing.packed_shape(produced, pack)}, but the discriminator takes {expected}: build it for the packs"
        )
    if pack == 1 and produced != expected:
        raise ValueError(
            f"the generator makes samples of shape {produced} but the discriminator takes "
            f"{expected}: give both networks the same sample shape"
        )


def batch_norm_layers(network):
    """The BatchNormalization layers of `network`, nested ones included."""
    return [layer for layer in network._flatten_layers(include_self=False) if isinstance(layer, keras.layers.BatchNormalization)]


def couples_batch(network):
    """True when a layer of `network` (nested ones included) mixes the examples of a batch: batch norm, or a
    layer that says so with a true `couples_batch` attribute (ProGAN's minibatch standard deviation)."""
    layers = network._flatten_layers(include_self=False)
    return bool(batch_norm_layers(network)) or any(getattr(layer, "couples_batch", False) for layer in layers)
