"""kerasgan: a GAN model zoo for Keras 3 and TensorFlow.

The public API: the zoo's models (`kerasgan.zoo`, also importable from here), the bases to
build one's own (`AdversarialModel`, `GAN`, `Translator`), the registry, and the modules
`data`, `evaluation`, `export`, `metrics`, `callbacks`, `losses`, `penalties`. Importing
kerasgan registers every zoo model, so `keras.models.load_model("model.keras")` works after it.
"""
__version__ = "0.1.0"

from kerasgan import registry
from kerasgan.adversarial import AdversarialModel
from kerasgan.gan import GAN as GANBase
from kerasgan.translation import Translator
from kerasgan.zoo import CGAN, DANN, DCGAN, EBGAN, GAN, WGAN, CycleGAN, EnsembleGAN, Pix2Pix

__all__ = [
    "AdversarialModel", "CGAN", "CycleGAN", "DANN", "DCGAN", "EBGAN", "EnsembleGAN", "GAN", "GANBase", "Pix2Pix",
    "Translator", "WGAN", "registry",
]
