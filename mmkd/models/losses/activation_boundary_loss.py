"""AB (Heo et al., AAAI 2019): transfer the activation boundaries of the teacher's neurons."""
from typing import Optional

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_number

#: MMRazor's (and AlphaNet's) fixed scale of the summed hinge: ``· 3 / 1000`` per sample.
AB_SCALE = 3 / 1000


def activation_boundary(student: torch.Tensor, teacher: torch.Tensor,
                        margin: float) -> torch.Tensor:
    """Per-sample ``Σ (s + m)²·[s > −m, t ≤ 0] + (s − m)²·[s ≤ m, t > 0]``, shape [N].

    The squared hinge pushes each student pre-activation to the teacher's side of 0 by a margin.
    """
    off = (student + margin).pow(2) * ((student > -margin) & (teacher <= 0))
    on = (student - margin).pow(2) * ((student <= margin) & (teacher > 0))
    return (off + on).flatten(1).sum(dim=1)


@MODELS.register_module()
class ABLoss(BaseDistillLoss):
    """``loss_weight · 3/1000 · mean_n activation_boundary(s_n, t_n)`` (MMRazor's scaling).

    Student and teacher maps must have one shape (map the student's channels with a connector, as
    MMRazor's AB configs do). The teacher side is not detached (as in MMRazor).

    Args:
        loss_weight: multiplier of the loss.
        margin: the hinge margin (>= 0).
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> t = torch.tensor([[1., -1.]])
        >>> float(ABLoss(margin=1.0)(torch.tensor([[2., -2.]]), t))  # beyond the margins
        0.0
    """

    paired_inputs = (('s_feature', 't_feature'), )

    def __init__(self, loss_weight: float = 1.0, margin: float = 1.0, reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.margin = check_number(self.name, 'margin', margin, 0)

    def forward(self,
                s_feature: torch.Tensor,
                t_feature: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            s_feature: student pre-activations [N, ...] (after a connector).
            t_feature: teacher pre-activations, same shape.
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        if s_feature.shape != t_feature.shape:
            raise ValueError(f'{self.name}: student {tuple(s_feature.shape)} and teacher '
                             f'{tuple(t_feature.shape)} differ; map the student with a connector')
        loss = AB_SCALE * activation_boundary(s_feature, t_feature, self.margin)
        return self.reduce(loss, weight, avg_factor, reduction_override)
