"""The model zoo: one module per paper, each model registered under its command-line name.

Importing this package imports every module in it, which registers their models with
`kerasgan.registry` and with Keras (so `keras.models.load_model` reads their `.keras` files),
and exports each registered class by its name: a new model file needs no line here.
"""
# ruff: noqa: I001  (the imports register the models in the order the command line lists them)
import importlib
import pkgutil

from kerasgan import registry
from kerasgan.zoo.gan import GAN
from kerasgan.zoo.dcgan import DCGAN
from kerasgan.zoo.cgan import CGAN
from kerasgan.zoo.wgan import WGAN
from kerasgan.zoo.ebgan import EBGAN
from kerasgan.zoo.pix2pix import Pix2Pix
from kerasgan.zoo.cycle_gan import CycleGAN
from kerasgan.zoo.dann import DANN
from kerasgan.zoo.ensemble_gan import EnsembleGAN

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

MODELS = registry.models()  # name -> class, as `kerasgan train --model=NAME` reads it
globals().update({cls.__name__: cls for cls in MODELS.values() if cls.__module__.startswith(__name__)})

__all__ = sorted(cls.__name__ for cls in MODELS.values() if cls.__module__.startswith(__name__)) + ["MODELS"]
