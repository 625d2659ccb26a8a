"""SNGAN with a projection discriminator (Miyato & Koyama 2018): the model contract at tiny sizes; the logit is the
linear head plus the class projection, the generator's batch norms are per class, and bad input."""
import keras
import numpy as np
import pytest

from kerasgan import testing
from kerasgan.zoo import SNGANProjection

CASES = [
    # k = 2 D steps, not the paper's 5 (the settings test checks that default): the contract needs several, and the
    # step traces each one, so 5 cost the checks about twice the time.
    testing.ModelCase(
        name="sngan_projection",
        make=lambda: SNGANProjection(
            image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=4, discriminator_steps=2, seed=1
        ),
        batch=lambda: testing.labelled((16, 16, 1), 3),
        # SNGAN's 4639, plus per class a scale and an offset in G's 4 block batch norms (which lose their own 32),
        # 128; plus D's 3x4 class embedding and its SN vector, 16
        params=4783,
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
    ),
]
BY_NAME = pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)


@BY_NAME
def test_contract(case, tmp_path):
    testing.check_contract(case, tmp_path)


@pytest.mark.slow
@BY_NAME
@pytest.mark.parametrize("check", testing.SLOW_CHECKS)
def test_slow_contract(case, check, tmp_path):
    testing.check_contract(case, tmp_path, [check])


def test_the_logit_is_the_linear_head_plus_the_projection_of_the_class_embedding():
    model = SNGANProjection(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=4, seed=0)
    discriminator = model.discriminator
    images, labels = testing.labelled((16, 16, 1), 3, count=6)
    pooled = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Rescaling)][0]
    phi = keras.Model(discriminator.inputs, pooled.output)([images, labels]).numpy()
    dense = {tuple(layer.layer.kernel.shape): layer.layer for layer in discriminator.layers
             if isinstance(layer, keras.layers.SpectralNormalization) and isinstance(layer.layer, keras.layers.Dense)}
    head, embedding = dense[(4, 1)], dense[(3, 4)]
    expected = phi @ head.kernel.numpy() + head.bias.numpy() + np.sum(embedding.kernel.numpy()[labels] * phi, axis=1, keepdims=True)
    np.testing.assert_allclose(discriminator([images, labels]).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_the_generator_normalizes_per_class_and_starts_as_the_unconditional_one():
    model = SNGANProjection(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=4, seed=0)
    z = model.sample_latent(3, seed=1)
    same_z = np.repeat(np.asarray(z[:1]), 3, axis=0)
    # (gamma, beta) start at (1, 0) for every class: at first the label changes nothing
    at_start = model.predict([same_z, np.arange(3, dtype="int32")], verbose=0)
    np.testing.assert_allclose(at_start[0], at_start[1], atol=1e-6)
    scales = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.Embedding)]
    assert len(scales) == 8 and all(layer.embeddings.shape[0] == 3 for layer in scales)  # 2 per block, 2 blocks
    scales[0].embeddings.assign(np.stack([np.ones(8), np.ones(8), 3 * np.ones(8)]).astype("float32"))
    changed = model.predict([same_z, np.arange(3, dtype="int32")], verbose=0)
    np.testing.assert_allclose(changed[0], changed[1], atol=1e-6)
    assert np.abs(changed[2] - changed[0]).max() > 1e-3
    restored = SNGANProjection.from_config(model.get_config())
    assert (restored.num_classes, restored.filters, restored.loss) == (3, 4, "hinge")


def test_sngan_projection_rejects_bad_input():
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        SNGANProjection(image_shape=(16, 16, 1), num_classes=1)
    with pytest.raises(ValueError, match=r"SNGANProjection needs image_shape"):
        SNGANProjection(num_classes=3)
    model = SNGANProjection(image_shape=(16, 16, 1), num_classes=3, latent_dim=8, filters=4)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        model.generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match="pack"):
        SNGANProjection(image_shape=(16, 16, 1), num_classes=3, filters=4, pack=2)
