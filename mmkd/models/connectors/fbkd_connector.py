"""FBKD's connectors (Zhang & Ma, ICLR 2021): attention masks, pooled maps and non-local relations."""
from typing import Optional, Tuple

import torch
from mmcv.cnn import NonLocal2d
from mmengine.model import BaseModule
from torch import nn

from mmkd.registry import MODELS
from ..losses.base import check_temperature


class StridedNonLocal2d(NonLocal2d):
    """mmcv's ``NonLocal2d`` whose sub-sampling adds a ``maxpool_stride`` max pool after its own
    2x2 one (MMRazor's ``NonLocal2dMaxpoolNstride``)."""

    def __init__(self, in_channels: int, reduction: int, conv_cfg: dict, norm_cfg: dict,
                 mode: str, sub_sample: bool, maxpool_stride: int, zeros_init: bool):
        super().__init__(in_channels, sub_sample=sub_sample, conv_cfg=conv_cfg,
                         norm_cfg=norm_cfg, reduction=reduction, mode=mode,
                         zeros_init=zeros_init)
        if sub_sample:
            pool = nn.MaxPool2d(kernel_size=(maxpool_stride, maxpool_stride))
            self.g = nn.Sequential(self.g, pool)
            self.phi = pool if self.mode == 'gaussian' else nn.Sequential(self.phi, pool)


def attention_masks(x: torch.Tensor, spatial_tau: float,
                    channel_tau: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """FBKD's spatial ``[N, 1, H, W]`` and channel ``[N, C, 1, 1]`` attention of ``|x|``: a softmax
    over positions (channels) of the mean ``|x|`` at ``1 / tau``, scaled to mean 1."""
    n, c, h, w = x.shape
    spatial = torch.softmax(x.abs().mean(dim=1).view(n, -1) / spatial_tau, dim=1) * h * w
    channel = torch.softmax(x.abs().mean(dim=(2, 3)) / channel_tau, dim=1) * c
    return spatial.view(n, 1, h, w), channel.view(n, c, 1, 1)


class FBKDConnector(BaseModule):
    """What both FBKD connectors share: the attention temperatures and a non-local block.

    Args:
        in_channels: channels of the feature map (student and teacher: the same).
        reduction, conv_cfg, norm_cfg, mode, sub_sample, maxpool_stride, zeros_init: of the
            non-local block (see :class:`StridedNonLocal2d` and mmcv's ``NonLocal2d``).
        spatial_T: temperature of the spatial attention mask.
        channel_T: temperature of the channel attention mask.
        init_cfg: MMEngine init config.
    """

    def __init__(self, in_channels: int, reduction: int = 2,
                 conv_cfg: dict = dict(type='Conv2d'), norm_cfg: dict = dict(type='BN'),
                 mode: str = 'dot_product', sub_sample: bool = False, maxpool_stride: int = 2,
                 zeros_init: bool = True, spatial_T: float = 0.5, channel_T: float = 0.5,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.spatial_T = check_temperature(type(self).__name__, 'spatial_T', spatial_T)
        self.channel_T = check_temperature(type(self).__name__, 'channel_T', channel_T)
        self.non_local = StridedNonLocal2d(in_channels, reduction, conv_cfg, norm_cfg, mode,
                                           sub_sample, maxpool_stride, zeros_init)


@MODELS.register_module()
class FBKDStudentConnector(FBKDConnector):
    """The student side of FBKD: its masks and adapted features for
    :class:`~mmkd.models.losses.FBKDLoss`.

    Returns ``(spatial_mask, channel_mask, channel_pool_adapt, spatial_pool_adapt,
    relation_adapt, feat_adapt)``: the attention masks of the student map, a linear map of its
    channel means, a 3x3 conv of its spatial mean map, a 1x1 conv of its non-local relation, and a
    1x1 conv of the map itself. Arguments: see :class:`FBKDConnector` (MMRazor's names).

    Example:
        >>> import torch
        >>> outs = FBKDStudentConnector(in_channels=8, sub_sample=True)(torch.randn(2, 8, 8, 8))
        >>> [tuple(o.shape) for o in outs]
        [(2, 1, 8, 8), (2, 8, 1, 1), (2, 8), (2, 1, 8, 8), (2, 8, 8, 8), (2, 8, 8, 8)]
    """

    def __init__(self, in_channels: int, **non_local_args):
        super().__init__(in_channels, **non_local_args)
        self.channel_wise_adaptation = nn.Linear(in_channels, in_channels)
        self.spatial_wise_adaptation = nn.Conv2d(1, 1, kernel_size=3, stride=1, padding=1)
        self.adaptation_layers = nn.Conv2d(in_channels, in_channels, kernel_size=1)
        self.non_local_adaptation = nn.Conv2d(in_channels, in_channels, kernel_size=1)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        spatial_mask, channel_mask = attention_masks(x, self.spatial_T, self.channel_T)
        channel_pool_adapt = self.channel_wise_adaptation(x.mean(dim=(2, 3)))
        spatial_pool_adapt = self.spatial_wise_adaptation(x.mean(dim=1, keepdim=True))
        relation_adapt = self.non_local_adaptation(self.non_local(x))
        return (spatial_mask, channel_mask, channel_pool_adapt, spatial_pool_adapt,
                relation_adapt, self.adaptation_layers(x))


@MODELS.register_module()
class FBKDTeacherConnector(FBKDConnector):
    """The teacher side of FBKD: ``(spatial_mask, channel_mask, spatial_pool, relation, x)``.

    Its non-local block is trained with the student (MMRazor trains it too: the relation loss
    pulls both sides), so this connector takes a teacher record as its ``source``. Arguments:
    see :class:`FBKDConnector`.

    Example:
        >>> import torch
        >>> outs = FBKDTeacherConnector(in_channels=8)(torch.randn(2, 8, 4, 4))
        >>> [tuple(o.shape) for o in outs]
        [(2, 1, 4, 4), (2, 8, 1, 1), (2, 1, 4, 4), (2, 8, 4, 4), (2, 8, 4, 4)]
    """

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        spatial_mask, channel_mask = attention_masks(x, self.spatial_T, self.channel_T)
        return (spatial_mask, channel_mask, x.mean(dim=1, keepdim=True), self.non_local(x), x)
