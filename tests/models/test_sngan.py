"""SNGAN (Miyato et al. 2018): the model contract at tiny sizes; spectral normalization on every weight layer of the
ResNet discriminator, the paper's loss, n_dis and optimizer, network sizes from the image shape, and bad input."""
import keras
import pytest

from kerasgan import testing
from kerasgan.zoo import SNGAN

CASES = [
    # k = 2 D steps, not the paper's 5 (the settings test checks that default): the contract needs several, and the
    # step traces each one, so 5 cost the checks about twice the time.
    testing.ModelCase(
        name="sngan",
        make=lambda: SNGAN(image_shape=(16, 16, 1), latent_dim=8, filters=4, discriminator_steps=2, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=4639,  # G (blocks of 8 channels) 3817 with BN's statistics; D (blocks of 4) 822 with SN's u vectors
        updates={"generator_optimizer": ("generator", 1), "discriminator_optimizer": ("discriminator", 2)},
    ),
    # Another loss family here: under the hinge loss, D's logit bias has no gradient while the real and the fake logits
    # lie in the margin in equal numbers, as they may for both of this case's two single D steps.
    testing.ModelCase(
        name="sngan_rgb_ema_k1",
        make=lambda: SNGAN(
            image_shape=(8, 8, 3), latent_dim=4, filters=2, loss="non_saturating", discriminator_steps=1, ema_decay=0.9, seed=1
        ),
        batch=lambda: testing.images((8, 8, 3)),
        params=1838,  # G 783, its average 783, D 272
        updates=testing.ONE_EACH,
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


def test_sngan_normalizes_every_discriminator_weight_layer_and_takes_the_papers_settings():
    model = SNGAN(image_shape=(32, 32, 3), latent_dim=8, filters=4)
    weighted = [layer for layer in model.discriminator.layers if layer.weights and not isinstance(layer, keras.layers.InputLayer)]
    assert weighted and all(isinstance(layer, keras.layers.SpectralNormalization) for layer in weighted)
    assert (model.loss, model.discriminator_steps, model.latent_dim) == ("hinge", 5, 8)
    assert SNGAN(image_shape=(32, 32, 3), filters=4).latent_dim == 128
    optimizer = model.default_generator_optimizer()
    assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2) == pytest.approx((2e-4, 0.0, 0.9))
    # 32x32: G doubles a 4x4 map three times with 8 channels; D halves twice, to 8x8, and keeps two blocks there
    assert model.generator.get_layer(index=2).output.shape[1:] == (4, 4, 8)
    pooled = [layer.output.shape[1] for layer in model.discriminator.layers if isinstance(layer, keras.layers.Add)]
    assert pooled == [16, 8, 8, 8]
    restored = SNGAN.from_config(model.get_config())
    assert (restored.filters, restored.image_shape) == (4, (32, 32, 3))


def test_sngan_rejects_bad_input():
    with pytest.raises(ValueError, match=r"SNGAN needs image_shape"):
        SNGAN()
    with pytest.raises(ValueError, match=r"cannot make images of shape \(15, 15, 1\)"):
        SNGAN(image_shape=(15, 15, 1))
    with pytest.raises(ValueError, match="discriminator_steps must be an integer >= 1"):
        SNGAN(image_shape=(16, 16, 1), filters=2, discriminator_steps=0)
