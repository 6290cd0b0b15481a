"""Hinton et al. (2015) knowledge distillation: temperature-softened KL between logits."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmpretrain.models.losses.utils import weight_reduce_loss
from torch import nn

from mmkd.registry import MODELS


def kd_kl_div(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
              tau: float) -> torch.Tensor:
    """Per-sample ``tau² · KL(softmax(t/tau) ‖ softmax(s/tau))`` summed over classes, shape [N].

    The teacher is detached: gradients reach the student only.
    """
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(f'KD needs student and teacher logits of one shape; got student '
                         f'{tuple(student_logits.shape)} and teacher {tuple(teacher_logits.shape)}')
    log_p_s = F.log_softmax(student_logits / tau, dim=1)
    log_p_t = F.log_softmax(teacher_logits.detach() / tau, dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    return kl * tau**2


@MODELS.register_module()
class KDLoss(nn.Module):
    """Hinton's KD loss, ``loss_weight · tau² · KL(softmax(t/tau) ‖ softmax(s/tau))``.

    The per-sample KL is summed over classes and averaged over the batch (``'batchmean'``), and the
    ``tau²`` factor keeps the soft-target gradients on the scale of the hard-label ones when ``tau``
    changes (Hinton et al., §2). The task (CE) term is the student's own head loss; weigh the two with
    ``loss_weight`` here and the distiller's ``task_loss_weight`` (Hinton's ``alpha`` corresponds to
    ``loss_weight=alpha, task_loss_weight=1 - alpha``).

    Differences from ``seeds/hinton-kd-blog.md``: the blog multiplies the KL by ``T*T*2.0 + alpha``
    (a stray factor 2 and an added ``alpha``) and returns an undefined ``loss2``; its
    ``nn.KLDivLoss()`` also averages over classes as well as samples (``reduction='mean'``), which
    divides the loss by C. This is Hinton's formula with batch-mean reduction.

    Args:
        tau: softmax temperature (> 0).
        loss_weight: multiplier of the loss.
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> loss = KDLoss(tau=4.0)
        >>> loss(torch.randn(8, 10), torch.randn(8, 10)).shape
        torch.Size([])
    """

    #: inputs whose shapes must match (checked by the distiller before training)
    paired_inputs = (('preds_S', 'preds_T'), )

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__()
        if tau <= 0:
            raise ValueError(f'KDLoss: tau must be > 0, got {tau}')
        if reduction not in ('none', 'mean', 'sum'):
            raise ValueError(f"KDLoss: reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
        self.tau = tau
        self.loss_weight = loss_weight
        self.reduction = reduction

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student logits [N, C].
            preds_T: teacher logits [N, C].
            weight: per-sample weights [N].
            avg_factor: divide the sum by this instead of N.
            reduction_override: overrides ``reduction``.
        """
        reduction = reduction_override or self.reduction
        loss = kd_kl_div(preds_S, preds_T, self.tau)
        if weight is not None:
            weight = weight.float()
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)
