"""FBKD (Zhang & Ma, ICLR 2021): attention-masked feature, pooled-map and relation distances."""
from typing import Sequence

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_loss_weight


@MODELS.register_module()
class FBKDLoss(BaseDistillLoss):
    """``loss_weight · (w_mask · ‖(T − A(S)) · √M‖ + w_ch · ‖GAP(T) − a_ch‖ + w_sp · ‖mean_c T −
    a_sp‖ + w_nl · ‖R_T − a_nl‖)``, every ‖·‖ the L2 norm over the whole batch (``torch.dist``).

    The inputs are the tuples of :class:`~mmkd.models.connectors.FBKDStudentConnector` and
    :class:`~mmkd.models.connectors.FBKDTeacherConnector` on one feature level. ``M`` is the mean of
    the two spatial attention masks (no gradient); the channel masks are computed but unused, as in
    FBKD's code. Batch-level norms: no per-sample ``weight``. Argument names are MMRazor's, except
    ``nonlocal_weight`` (MMRazor: ``nonloacl_weight``; the converter renames it).

    Args:
        mask_l2_weight: weight of the masked feature distance (7e-5).
        channel_weight: weight of the channel-pool distance (4e-3).
        spatial_weight: weight of the spatial-pool distance (4e-3).
        nonlocal_weight: weight of the non-local relation distance (7e-5).
        loss_weight: multiplier of the loss.

    Example:
        >>> import torch
        >>> from mmkd.models.connectors import FBKDStudentConnector, FBKDTeacherConnector
        >>> x = torch.randn(2, 8, 4, 4)
        >>> loss = FBKDLoss()(FBKDStudentConnector(8)(x), FBKDTeacherConnector(8)(x))
        >>> loss.shape
        torch.Size([])
    """

    reductions = ('mean', )

    def __init__(self,
                 mask_l2_weight: float = 7e-5,
                 channel_weight: float = 4e-3,
                 spatial_weight: float = 4e-3,
                 nonlocal_weight: float = 7e-5,
                 loss_weight: float = 1.0):
        super().__init__(loss_weight)
        self.mask_l2_weight = check_loss_weight(self.name, mask_l2_weight, 'mask_l2_weight')
        self.channel_weight = check_loss_weight(self.name, channel_weight, 'channel_weight')
        self.spatial_weight = check_loss_weight(self.name, spatial_weight, 'spatial_weight')
        self.nonlocal_weight = check_loss_weight(self.name, nonlocal_weight, 'nonlocal_weight')

    def forward(self, s_input: Sequence[torch.Tensor],
                t_input: Sequence[torch.Tensor]) -> torch.Tensor:
        """
        Args:
            s_input: the 6 outputs of ``FBKDStudentConnector``.
            t_input: the 5 outputs of ``FBKDTeacherConnector``.
        """
        if len(s_input) != 6 or len(t_input) != 5:
            raise ValueError(f'{self.name}: s_input must be the 6 outputs of '
                             f'FBKDStudentConnector and t_input the 5 of FBKDTeacherConnector; '
                             f'got {len(s_input)} and {len(t_input)}')
        s_spatial_mask, _, s_channel_pool, s_spatial_pool, s_relation, s_feat = s_input
        t_spatial_mask, _, t_spatial_pool, t_relation, t_feat = t_input
        spatial_mask = ((t_spatial_mask + s_spatial_mask) / 2).detach()
        masked = ((t_feat - s_feat).pow(2) * spatial_mask).sum().sqrt()
        loss = (self.mask_l2_weight * masked
                + self.channel_weight * torch.dist(t_feat.mean(dim=(2, 3)), s_channel_pool)
                + self.spatial_weight * torch.dist(t_spatial_pool, s_spatial_pool)
                + self.nonlocal_weight * torch.dist(t_relation, s_relation))
        return self.loss_weight * loss
