"""The model zoo: one subclass of kerasgan.gan.GAN per paper."""
from kerasgan.zoo.dcgan import DCGAN
from kerasgan.zoo.gan import GAN

MODELS = {"gan": GAN, "dcgan": DCGAN}

__all__ = ["DCGAN", "GAN", "MODELS"]
