"""The model zoo: one subclass of kerasgan.gan.GAN per paper."""
from kerasgan.zoo.cgan import CGAN
from kerasgan.zoo.dcgan import DCGAN
from kerasgan.zoo.ebgan import EBGAN
from kerasgan.zoo.gan import GAN
from kerasgan.zoo.wgan import WGAN

MODELS = {"gan": GAN, "dcgan": DCGAN, "cgan": CGAN, "wgan": WGAN, "ebgan": EBGAN}

__all__ = ["CGAN", "DCGAN", "EBGAN", "GAN", "MODELS", "WGAN"]
