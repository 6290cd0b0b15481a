"""A learnable 1x1 convolution that maps student feature channels to the teacher's."""
from typing import Optional, Sequence, Tuple, Union

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import nn

from mmkd.registry import MODELS

Channels = Union[int, Sequence[int]]


@MODELS.register_module()
class ConvConnector(BaseModule):
    """1x1 conv (+ optional norm) from student channels to teacher channels, per level.

    FitNets' regressor: it sits between a student record and a distill loss and is trained with
    the student (it is never part of the exported student checkpoint). For a tuple input (FPN
    levels, backbone stages), give ``in_channels``/``out_channels`` as ints to share one conv over
    all levels, or as equally long lists for one conv per level (e.g. ResNet-18 stages
    ``[64, 128, 256, 512]`` to ResNet-50's ``[256, 512, 1024, 2048]``).

    Used from a distiller config::

        connectors=dict(fpn_to_teacher=dict(type='ConvConnector', source='student.fpn',
                                            in_channels=64, out_channels=256)),
        distill_losses=dict(loss_fitnet=dict(type='FeatureImitationLoss',
            inputs=dict(preds_S='connectors.fpn_to_teacher', preds_T='teacher.fpn')))

    Args:
        in_channels: student channels (an int, or one per level).
        out_channels: teacher channels (an int, or one per level).
        norm_cfg: e.g. ``dict(type='BN')`` for a BatchNorm after the conv; ``None`` for none.
        act_cfg: an activation after it (e.g. ``dict(type='ReLU')``); ``None`` for none.
        conv_args: more arguments of mmcv's ``ConvModule`` (``kernel_size`` (1), ``padding``,
            ``stride``, ``order``, ...).
        init_cfg: MMEngine init config.

    Example:
        >>> import torch
        >>> connector = ConvConnector(in_channels=[8, 16], out_channels=[32, 64])
        >>> outs = connector((torch.zeros(2, 8, 4, 4), torch.zeros(2, 16, 2, 2)))
        >>> [tuple(o.shape) for o in outs]
        [(2, 32, 4, 4), (2, 64, 2, 2)]
    """

    def __init__(self,
                 in_channels: Channels,
                 out_channels: Channels,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 conv_args: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        per_level = not isinstance(in_channels, int)
        if per_level != (not isinstance(out_channels, int)) or (
                per_level and len(in_channels) != len(out_channels)):
            raise ValueError('ConvConnector: in_channels and out_channels must both be ints, or '
                             f'lists of one length; got {in_channels} and {out_channels}')
        pairs = zip(in_channels, out_channels) if per_level else [(in_channels, out_channels)]
        self.per_level = per_level
        conv_args = dict(dict(kernel_size=1), **(conv_args or {}))
        self.convs = nn.ModuleList(
            ConvModule(c_in, c_out, norm_cfg=norm_cfg, act_cfg=act_cfg, **conv_args)
            for c_in, c_out in pairs)

    def forward(self, feats: Union[torch.Tensor, Sequence[torch.Tensor]]
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        if isinstance(feats, torch.Tensor):
            if self.per_level:
                raise ValueError(f'ConvConnector has {len(self.convs)} per-level convs but got '
                                 'one tensor; give in_channels/out_channels as ints')
            return self.convs[0](feats)
        if self.per_level and len(feats) != len(self.convs):
            raise ValueError(f'ConvConnector has {len(self.convs)} per-level convs but got '
                             f'{len(feats)} levels')
        convs = self.convs if self.per_level else [self.convs[0]] * len(feats)
        return tuple(conv(feat) for conv, feat in zip(convs, feats))


@MODELS.register_module()
class ConvModuleConnector(ConvConnector):
    """MMRazor's ``ConvModuleConnector``: one mmcv ``ConvModule`` (conv, norm, act), its arguments.

    A :class:`ConvConnector` under MMRazor's name and argument names (``in_channel`` /
    ``out_channel``) with MMRazor's default ``act_cfg=dict(type='ReLU')``: MMRazor's FitNets config
    (no ``act_cfg``) regresses through conv + BN + ReLU, its AB configs pass ``act_cfg=None``.

    Example:
        >>> import torch
        >>> connector = ConvModuleConnector(in_channel=8, out_channel=16, norm_cfg=dict(type='BN'))
        >>> [type(m).__name__ for m in connector.convs[0].children()]
        ['Conv2d', 'BatchNorm2d', 'ReLU']
    """

    def __init__(self,
                 in_channel: int,
                 out_channel: int,
                 kernel_size: Union[int, Tuple[int, int]] = 1,
                 stride: Union[int, Tuple[int, int]] = 1,
                 padding: Union[int, Tuple[int, int]] = 0,
                 dilation: Union[int, Tuple[int, int]] = 1,
                 groups: int = 1,
                 bias: Union[str, bool] = 'auto',
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = dict(type='ReLU'),
                 inplace: bool = True,
                 with_spectral_norm: bool = False,
                 padding_mode: str = 'zeros',
                 order: tuple = ('conv', 'norm', 'act'),
                 init_cfg: Optional[dict] = None):
        super().__init__(
            in_channel, out_channel, norm_cfg=norm_cfg, act_cfg=act_cfg, init_cfg=init_cfg,
            conv_args=dict(kernel_size=kernel_size, stride=stride, padding=padding,
                           dilation=dilation, groups=groups, bias=bias, conv_cfg=conv_cfg,
                           inplace=inplace, with_spectral_norm=with_spectral_norm,
                           padding_mode=padding_mode, order=order))
