"""The model zoo: one subclass of kerasgan.gan.GAN per paper."""
from kerasgan.zoo.cgan import CGAN
from kerasgan.zoo.cycle_gan import CycleGAN
from kerasgan.zoo.dann import DANN
from kerasgan.zoo.dcgan import DCGAN
from kerasgan.zoo.ebgan import EBGAN
from kerasgan.zoo.ensemble_gan import EnsembleGAN
from kerasgan.zoo.gan import GAN
from kerasgan.zoo.pix2pix import Pix2Pix
from kerasgan.zoo.wgan import WGAN

MODELS = {
    "gan": GAN, "dcgan": DCGAN, "cgan": CGAN, "wgan": WGAN, "ebgan": EBGAN, "pix2pix": Pix2Pix, "cyclegan": CycleGAN,
    "dann": DANN, "ensemble_gan": EnsembleGAN,
}

__all__ = ["CGAN", "CycleGAN", "DANN", "DCGAN", "EBGAN", "EnsembleGAN", "GAN", "MODELS", "Pix2Pix", "WGAN"]
