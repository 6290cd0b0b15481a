"""MMRazor's ``L1Loss``: absolute difference of features."""
from typing import Optional

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss


@MODELS.register_module()
class L1Loss(BaseDistillLoss):
    """``loss_weight · reduce(|f^s − f^t|)`` element-wise (``F.l1_loss``), as in MMRazor.

    The teacher side is not detached (as in MMRazor). MMRazor's deprecated ``size_average`` /
    ``reduce`` arguments are not taken: say ``reduction`` instead.

    Args:
        loss_weight: multiplier of the loss.
        reduction: ``'mean'`` (over elements), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> float(L1Loss()(torch.zeros(2, 3), torch.ones(2, 3)))
        1.0
    """

    paired_inputs = (('s_feature', 't_feature'), )

    def forward(self,
                s_feature: torch.Tensor,
                t_feature: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            s_feature: student features [N, ...].
            t_feature: teacher features, same shape.
            weight: per-sample [N] or per-element weights.
            avg_factor: divide the sum by this instead of the number of elements.
            reduction_override: overrides ``reduction``.
        """
        if s_feature.shape != t_feature.shape:
            raise ValueError(f'{self.name}: student features {tuple(s_feature.shape)} and '
                             f'teacher features {tuple(t_feature.shape)} differ')
        return self.reduce((s_feature - t_feature).abs(), weight, avg_factor, reduction_override)
