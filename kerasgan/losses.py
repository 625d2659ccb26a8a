"""Adversarial losses as pure functions of discriminator logits.

Each function takes logits of any shape (a scalar per example or a patch map) and returns
one loss per example, shape (batch,); the caller reduces over the batch. Discriminator
losses of the sigmoid families take `label_smoothing`, the one-sided smoothing of
Salimans et al. 2016 (arXiv:1606.03498): real targets become 1 - label_smoothing.
"""
from keras import ops


def _per_example(values):
    """Mean over every axis but the batch axis."""
    values = ops.convert_to_tensor(values)
    if len(values.shape) <= 1:
        return values
    return ops.mean(values, axis=tuple(range(1, len(values.shape))))


def _sigmoid_cross_entropy(target, logits):
    """-[t log sigmoid(l) + (1 - t) log(1 - sigmoid(l))] = softplus(l) - t * l, stable."""
    return ops.softplus(logits) - target * logits


def minimax_generator_loss(fake_logits):
    """E[log(1 - D(G(z)))], the generator's side of the minimax game (Goodfellow et al. 2014, arXiv:1406.2661)."""
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(-ops.softplus(fake_logits))


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """-E[log D(x)] - E[log(1 - D(G(z)))] (Goodfellow et al. 2014, arXiv:1406.2661)."""
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    real = _per_example(_sigmoid_cross_entropy(1.0 - label_smoothing, real_logits))
    fake = _per_example(_sigmoid_cross_entropy(0.0, fake_logits))
    return real + fake


def non_saturating_generator_loss(fake_logits):
    """-E[log D(G(z))], the non-saturating generator loss (Goodfellow et al. 2014, section 3)."""
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(_sigmoid_cross_entropy(1.0, fake_logits))


# The non-saturating game changes only the generator's objective.
non_saturating_discriminator_loss = minimax_discriminator_loss


def least_squares_generator_loss(fake_logits):
    """1/2 E[(D(G(z)) - 1)^2] (LSGAN, Mao et al. 2017, arXiv:1611.04076, a=0, b=c=1)."""
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(0.5 * ops.square(fake_logits - 1.0))


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """1/2 E[(D(x) - b)^2] + 1/2 E[D(G(z))^2] with b = 1 - label_smoothing (Mao et al. 2017)."""
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    real = _per_example(0.5 * ops.square(real_logits - (1.0 - label_smoothing)))
    fake = _per_example(0.5 * ops.square(fake_logits))
    return real + fake


def hinge_generator_loss(fake_logits):
    """-E[D(G(z))] (geometric GAN, Lim & Ye 2017, arXiv:1705.02894; Miyato et al. 2018)."""
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(-fake_logits)


def hinge_discriminator_loss(real_logits, fake_logits):
    """E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] (Lim & Ye 2017, arXiv:1705.02894)."""
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(ops.relu(1.0 - real_logits)) + _per_example(ops.relu(1.0 + fake_logits))


def wasserstein_generator_loss(fake_logits):
    """-E[f(G(z))] for the critic f (WGAN, Arjovsky et al. 2017, arXiv:1701.07875)."""
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(-fake_logits)


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """E[f(G(z))] - E[f(x)], the negated Wasserstein estimate (Arjovsky et al. 2017)."""
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _per_example(fake_logits) - _per_example(real_logits)


def energy_generator_loss(fake_energy):
    """E[D(G(z))], the energy of generated samples (EBGAN, Zhao et al. 2016, arXiv:1609.03126)."""
    return _per_example(ops.convert_to_tensor(fake_energy))


def energy_discriminator_loss(real_energy, fake_energy, margin=1.0):
    """E[D(x)] + E[max(0, m - D(G(z)))]: low energy on data, at least m on samples (Zhao et al. 2016)."""
    real_energy = ops.convert_to_tensor(real_energy)
    fake_energy = ops.convert_to_tensor(fake_energy)
    return _per_example(real_energy) + _per_example(ops.relu(margin - fake_energy))


# family name -> (generator loss, discriminator loss, takes label_smoothing)
FAMILIES = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss, True),
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss, True),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss, True),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss, False),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss, False),
    "energy": (energy_generator_loss, energy_discriminator_loss, False),
}


def get(family, label_smoothing=0.0):
    """Returns (generator_loss, discriminator_loss) of a family; the latter with smoothing bound."""
    if family not in FAMILIES:
        raise ValueError(f"unknown loss {family!r}: use one of {', '.join(FAMILIES)}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    generator_loss, discriminator_loss, smooths = FAMILIES[family]
    if not smooths:
        if label_smoothing:
            raise ValueError(
                f"label_smoothing applies to the sigmoid and least-squares losses, not {family!r}: "
                "set label_smoothing=0"
            )
        return generator_loss, discriminator_loss

    def smoothed_discriminator_loss(real_logits, fake_logits):
        return discriminator_loss(real_logits, fake_logits, label_smoothing)

    return generator_loss, smoothed_discriminator_loss
