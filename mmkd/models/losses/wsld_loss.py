"""WSLD (Zhou et al., ICLR 2021): soft-label distillation weighted per sample by bias/variance."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_number, check_temperature


def wsld_weights(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                 labels: torch.Tensor) -> torch.Tensor:
    """Per-sample ``1 − exp(−max(CE_s / (CE_t + 1e-7), 0))`` of the unsoftened logits, [N].

    ``CE_s`` and ``CE_t`` are the hard-label cross-entropies of student and teacher (no gradient):
    a sample the teacher fits better than the student gets a weight near 1.
    """
    labels = labels.reshape(-1, 1).long()
    ce_s = -F.log_softmax(student_logits.detach(), dim=1).gather(1, labels)[:, 0]
    ce_t = -F.log_softmax(teacher_logits.detach(), dim=1).gather(1, labels)[:, 0]
    return 1 - torch.exp(-(ce_s / (ce_t + 1e-7)).clamp(min=0))


@MODELS.register_module()
class WSLD(BaseDistillLoss):
    """Weighted soft labels: ``loss_weight · tau² · mean_n w_n · (−Σ_c p^t_nc log p^s_nc)``.

    ``p = softmax(z / tau)`` and ``w_n`` from :func:`wsld_weights` (unsoftened logits, no
    gradient). The soft term is a cross-entropy, as in MMRazor (the teacher side is not detached
    there either).

    Args:
        tau: softmax temperature in [1e-6, 100].
        loss_weight: multiplier of the loss.
        num_classes: the number of classes C; checked against the logits.
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> loss = WSLD(tau=2.0, num_classes=10)
        >>> loss(torch.randn(4, 10), torch.randn(4, 10), torch.tensor([0, 1, 2, 3])).shape
        torch.Size([])
    """

    paired_inputs = (('student', 'teacher'), )

    def __init__(self,
                 tau: float = 1.0,
                 loss_weight: float = 1.0,
                 num_classes: int = 1000,
                 reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.tau = check_temperature(self.name, 'tau', tau)
        self.num_classes = check_number(self.name, 'num_classes', num_classes, 1, integer=True)

    def forward(self,
                student: torch.Tensor,
                teacher: torch.Tensor,
                gt_labels: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            student: student logits [N, C].
            teacher: teacher logits [N, C].
            gt_labels: class index of every sample [N].
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        if student.shape != teacher.shape or student.dim() != 2:
            raise ValueError(f'{self.name} needs [N, C] student and teacher logits of one shape; '
                             f'got {tuple(student.shape)} and {tuple(teacher.shape)}')
        if student.shape[1] != self.num_classes:
            raise ValueError(f'{self.name}: num_classes={self.num_classes} but the logits have '
                             f'{student.shape[1]} classes')
        soft_ce = -(F.softmax(teacher / self.tau, dim=1)
                    * F.log_softmax(student / self.tau, dim=1)).sum(dim=1)
        loss = self.tau**2 * wsld_weights(student, teacher, gt_labels) * soft_ce
        return self.reduce(loss, weight, avg_factor, reduction_override)
