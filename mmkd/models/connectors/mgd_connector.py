"""MGD's generation block: mask the student's features at random, generate the teacher's."""
from typing import Optional

import torch
from mmengine.model import BaseModule
from torch import nn

from mmkd.registry import MODELS
from ..losses.base import check_number


@MODELS.register_module()
class MGDConnector(BaseModule):
    """Masked generative distillation (Yang et al., ECCV 2022), the student side.

    An optional 1x1 conv aligns the student's channels to the teacher's; a random mask drops each
    position (or, with ``mask_on_channel``, each channel) with probability ``lambda_mgd``; a
    generation block ``conv3x3 → ReLU → conv3x3`` then has to produce the teacher's features from
    what is left. Feed :class:`~mmkd.models.losses.MGDLoss` from this connector. MMRazor's module of
    the same name, the same layers and arguments; the mask is drawn on the feature's device from
    torch's generator (seeded by the runner's ``randomness``).

    Args:
        student_channels: channels of the student's features.
        teacher_channels: channels of the teacher's features.
        lambda_mgd: probability of masking a position, in [0, 1] (MGD: 0.65 for detection).
        mask_on_channel: mask whole channels instead of positions.
        init_cfg: MMEngine init config.

    Example:
        >>> import torch
        >>> MGDConnector(student_channels=8, teacher_channels=16)(torch.randn(2, 8, 5, 5)).shape
        torch.Size([2, 16, 5, 5])
    """

    def __init__(self,
                 student_channels: int,
                 teacher_channels: int,
                 lambda_mgd: float = 0.65,
                 mask_on_channel: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.lambda_mgd = check_number('MGDConnector', 'lambda_mgd', lambda_mgd, 0, 1)
        self.mask_on_channel = mask_on_channel
        self.align = (nn.Conv2d(student_channels, teacher_channels, kernel_size=1)
                      if student_channels != teacher_channels else None)
        self.generation = nn.Sequential(
            nn.Conv2d(teacher_channels, teacher_channels, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(teacher_channels, teacher_channels, kernel_size=3, padding=1))

    def forward(self, feature: torch.Tensor) -> torch.Tensor:
        if self.align is not None:
            feature = self.align(feature)
        n, c, h, w = feature.shape
        shape = (n, c, 1, 1) if self.mask_on_channel else (n, 1, h, w)
        keep = (torch.rand(shape, device=feature.device) <= 1 - self.lambda_mgd)
        return self.generation(feature * keep.to(feature.dtype))
