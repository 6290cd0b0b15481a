"""Hinton et al. (2015) knowledge distillation: temperature-softened KL between logits."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_temperature


def soft_kl(student_logits: torch.Tensor, teacher_logits: torch.Tensor, tau: float,
            teacher_detach: bool = True) -> torch.Tensor:
    """Element-wise ``tau² · p_t · (log p_t − log p_s)`` with ``p = softmax(logits / tau)`` over
    dim 1 (classes; per position for dense ``[N, C, H, W]`` logits), shape of the inputs.

    Summed over dim 1 it is ``tau² · KL(p_t ‖ p_s)``. ``teacher_detach=False`` lets gradients reach
    the teacher side too (only data-free methods want that).

    Example:
        >>> logits = torch.randn(2, 5)
        >>> soft_kl(logits, logits, tau=2.0).abs().max().item() < 1e-6
        True
    """
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(f'KD needs student and teacher logits of one shape; got student '
                         f'{tuple(student_logits.shape)} and teacher {tuple(teacher_logits.shape)}')
    if teacher_detach:
        teacher_logits = teacher_logits.detach()
    log_p_s = F.log_softmax(student_logits / tau, dim=1)
    log_p_t = F.log_softmax(teacher_logits / tau, dim=1)
    return log_p_t.exp() * (log_p_t - log_p_s) * tau**2


def kd_kl_div(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
              tau: float) -> torch.Tensor:
    """Per-sample ``tau² · KL(softmax(t/tau) ‖ softmax(s/tau))`` summed over classes, shape [N].

    The teacher is detached: gradients reach the student only.
    """
    return soft_kl(student_logits, teacher_logits, tau).sum(dim=1)


@MODELS.register_module()
class KDLoss(BaseDistillLoss):
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

    MMRazor's ``KLDivergence`` computes the same KL; ``KDLoss(reduction='mean')`` equals
    ``KLDivergence(reduction='batchmean')`` (see :class:`~mmkd.models.losses.KLDivergence` for
    MMRazor's element-wise reductions).

    Args:
        tau: softmax temperature, in [1e-6, 100] (see
            :func:`~mmkd.models.losses.base.check_temperature`).
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
        super().__init__(loss_weight, reduction)
        self.tau = check_temperature(self.name, 'tau', tau)

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
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        loss = kd_kl_div(preds_S, preds_T, self.tau)
        return self.reduce(loss, weight, avg_factor, reduction_override)
