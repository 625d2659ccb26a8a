"""kerasgan: a GAN model zoo for Keras 3 and TensorFlow.

The public API: the zoo's models (`kerasgan.zoo`, also importable from here), the bases to
build one's own (`AdversarialModel`, `Translator`, and `kerasgan.gan.GAN`, Algorithm 1; `kerasgan.GAN`
is the zoo's MLP GAN), the registry, the model contract (`kerasgan.testing`), and the modules
`data`, `evaluation`, `export`, `metrics`, `callbacks`, `losses`, `penalties`, `convolutions`. Importing
kerasgan registers every zoo model, so `keras.models.load_model("model.keras")` works after it.
"""
__version__ = "0.1.0"

from kerasgan import quiet

quiet.for_the_command()  # before TensorFlow is imported: its start-up log stays off the terminal

from kerasgan import registry
from kerasgan.adversarial import AdversarialModel
from kerasgan.translation import Translator
from kerasgan.zoo import CGAN, DANN, DCGAN, EBGAN, GAN, WGAN, CycleGAN, EnsembleGAN, Pix2Pix

__all__ = [
    "AdversarialModel", "CGAN", "CycleGAN", "DANN", "DCGAN", "EBGAN", "EnsembleGAN", "GAN", "Pix2Pix",
    "Translator", "WGAN", "registry",
]
