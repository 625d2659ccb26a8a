"""Network builders, one module per architecture."""
from kerasgan.networks.patchgan import build_patchgan, receptive_field
from kerasgan.networks.resnet import build_resnet_generator
from kerasgan.networks.unet import build_unet

__all__ = ["build_patchgan", "build_resnet_generator", "build_unet", "receptive_field"]
