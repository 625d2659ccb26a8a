"""EBGAN (Zhao et al. 2016): the model contract at tiny sizes; the energies and pull-away term it reports, and the
margin."""
import pytest

from kerasgan import testing
from kerasgan.zoo import EBGAN

CASES = [
    testing.ModelCase(
        name="ebgan",
        make=lambda: EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, embedding_dim=8, seed=1),
        batch=lambda: testing.images((16, 16, 1)),
        params=14866,  # G: 5281; AE: 136 + 2048 + BN 64 + 2056 | 2048 + BN 1024 + 2048 + BN 32 + 129
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


def test_ebgan_energies_and_pull_away_term():
    model = EBGAN(image_shape=(16, 16, 1), latent_dim=8, filters=8, embedding_dim=8, margin=0.5, seed=0)
    model.compile()
    history = testing.fit_steps(model, testing.images((16, 16, 1)), 1)
    logs = {name: values[0] for name, values in history.history.items()}
    assert set(logs) == {"d_loss", "g_loss", "pull_away_term", "real_energy", "fake_energy"}
    assert 0.0 <= logs["pull_away_term"] <= 1.0
    # the discriminator loss is D(x) + [m - D(G(z))]_+ >= D(x) >= 0
    assert logs["d_loss"] >= 0 and logs["real_energy"] >= 0
    with pytest.raises(ValueError, match="margin must be > 0"):
        EBGAN(image_shape=(16, 16, 1), margin=0)
