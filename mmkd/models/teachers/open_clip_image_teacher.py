"""The image tower of an OpenCLIP / OpenAI CLIP model as a teacher (LGD's CLIP RN50)."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.structures import BaseDataElement

from mmkd.registry import MODELS
from mmkd.utils import load_strictly
from .base_teacher import BaseTeacher
from .input_adapter import Normalization


@MODELS.register_module()
class OpenCLIPImageTeacher(BaseTeacher):
    """``encode_image`` of an ``open_clip`` model, in CLIP's own mean/std and resolution.

    Record ``embedding``: the CLIP image embedding ``[N, D]`` (1024 for RN50; LGD takes the same
    token 0 of the attention pool), in fp32. Only the visual tower is kept.

    Args:
        model_name: an open_clip config name (``'RN50'`` for LGD).
        checkpoint: a local state dict of the whole CLIP model (open_clip layout); ``None`` needs
            ``allow_random_init``.
        input_size: ``(h, w)``; defaults to the model's image size (224; CLIP ResNets' attention
            pool only takes that size).
        allow_random_init: build without weights (tests).

    Example:
        >>> import torch
        >>> teacher = OpenCLIPImageTeacher('RN50', None, allow_random_init=True)
        >>> teacher(torch.zeros(1, 3, 224, 224))['embedding'].shape
        torch.Size([1, 1024])
    """

    output_names = ('embedding', )

    def __init__(self, model_name: str = 'RN50', checkpoint: Optional[str] = None,
                 input_size: Optional[Sequence[int]] = None, allow_random_init: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        import open_clip
        model = open_clip.create_model(model_name, pretrained=None)
        if checkpoint is not None:
            self.load_report = [load_strictly(model, checkpoint, f'CLIP {model_name} checkpoint')]
        elif allow_random_init:
            self.load_report = ['random init (no checkpoint): its signal is noise']
        else:
            raise ValueError(f'OpenCLIPImageTeacher({model_name!r}): give the local CLIP '
                             '`checkpoint`, or set allow_random_init=True on purpose.')
        self.visual = model.visual
        size = self.visual.image_size
        size = (size, size) if isinstance(size, int) else tuple(size)
        self._input_size = tuple(input_size) if input_size else size
        self._mean = torch.tensor(getattr(self.visual, 'image_mean', None)
                                  or (0.48145466, 0.4578275, 0.40821073)) * 255
        self._std = torch.tensor(getattr(self.visual, 'image_std', None)
                                 or (0.26862954, 0.26130258, 0.27577711)) * 255
        self.freeze()

    @property
    def teacher_normalization(self) -> Normalization:
        return self._mean, self._std, True

    @property
    def input_size(self) -> Optional[Sequence[int]]:
        return self._input_size

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        return dict(embedding=self.visual(self.prepare_inputs(inputs)).float())
