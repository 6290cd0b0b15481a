"""Attention transfer (Zagoruyko & Komodakis, ICLR 2017): match normalised spatial attention."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss


def attention_map(feature: torch.Tensor) -> torch.Tensor:
    """``normalize(mean_c x²)`` per sample, flattened over positions: [N, C, H, W] -> [N, H·W]."""
    return F.normalize(feature.pow(2).mean(dim=1).flatten(1), dim=1)


@MODELS.register_module()
class ATLoss(BaseDistillLoss):
    """``loss_weight · mean_{n,p} (a^s_np − a^t_np)²`` with ``a = attention_map(feature)``.

    Channel counts may differ (the map averages them out); the spatial sizes must match. The
    teacher side is not detached (as in MMRazor).

    Args:
        loss_weight: multiplier of the loss.
        reduction: ``'mean'`` (over samples and positions), ``'sum'`` or ``'none'`` (``[N, H·W]``).

    Example:
        >>> import torch
        >>> x = torch.randn(2, 8, 4, 4)
        >>> ATLoss()(x, torch.cat([x, x], dim=1)).item() < 1e-12  # same attention, more channels
        True
    """


    def forward(self,
                s_feature: torch.Tensor,
                t_feature: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            s_feature: student feature map [N, C, H, W].
            t_feature: teacher feature map [N, C', H, W].
            weight: per-sample weights [N].
            avg_factor: divide the sum by this instead of N·H·W.
            reduction_override: overrides ``reduction``.
        """
        if (s_feature.dim() != 4 or t_feature.dim() != 4 or s_feature.shape[0] != t_feature.shape[0]
                or s_feature.shape[2:] != t_feature.shape[2:]):
            raise ValueError(f'{self.name} needs [N, C, H, W] maps of one batch and size; got '
                             f'student {tuple(s_feature.shape)} and teacher '
                             f'{tuple(t_feature.shape)}')
        loss = (attention_map(s_feature) - attention_map(t_feature)).pow(2)
        return self.reduce(loss, weight, avg_factor, reduction_override)
