"""DKD (Zhao et al., CVPR 2022): KD split into target-class and non-target-class terms."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_loss_weight, check_temperature

#: Subtracted from the target logit (after ``/ tau``) to take it out of the non-target softmax,
#: as DKD's reference code and MMRazor do; ``exp(-1000)`` is 0 in fp32 and fp64.
TARGET_MASK_OFFSET = 1000.0


def decoupled_kd(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                 labels: torch.Tensor, tau: float, alpha: float, beta: float) -> torch.Tensor:
    """Per-sample ``tau² · (alpha · TCKD + beta · NCKD)``, shape [N].

    TCKD is the KL between the binary distributions ``(p_gt, 1 − p_gt)`` of teacher and student
    (``p = softmax(z / tau)``); NCKD the KL between their softmaxes over the non-target classes.
    Log-probabilities are computed in log space (``log(1 − p_gt)`` as a log-sum-exp over the other
    classes): equal to DKD's ``log`` of probabilities wherever that is finite, and finite where a
    saturated softmax makes it ``log(0)``.
    """
    if student_logits.shape != teacher_logits.shape or student_logits.dim() != 2:
        raise ValueError(f'DKDLoss needs [N, C] student and teacher logits of one shape; got '
                         f'{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}')
    labels = labels.reshape(-1).long()
    if labels.numel() != student_logits.shape[0]:
        raise ValueError(f'DKDLoss: {labels.numel()} labels for {student_logits.shape[0]} samples '
                         '(it needs one class index per sample)')
    target = F.one_hot(labels, student_logits.shape[1]).bool()

    def binary_and_rest(logits: torch.Tensor):
        log_p = F.log_softmax(logits / tau, dim=1)
        log_target = log_p[target].unsqueeze(1)
        log_other = log_p.masked_fill(target, float('-inf')).logsumexp(dim=1, keepdim=True)
        log_rest = F.log_softmax(logits / tau - TARGET_MASK_OFFSET * target, dim=1)
        return torch.cat([log_target, log_other], dim=1), log_rest

    binary_s, rest_s = binary_and_rest(student_logits)
    binary_t, rest_t = binary_and_rest(teacher_logits)

    def kl(log_t: torch.Tensor, log_s: torch.Tensor) -> torch.Tensor:
        return F.kl_div(log_s, log_t, reduction='none', log_target=True).sum(dim=1)

    return tau**2 * (alpha * kl(binary_t, binary_s) + beta * kl(rest_t, rest_s))


@MODELS.register_module()
class DKDLoss(BaseDistillLoss):
    """Decoupled KD: ``loss_weight · tau² · (alpha · TCKD + beta · NCKD)``, see
    :func:`decoupled_kd`. With ``alpha = beta = 1`` it is Hinton's KD plus a reweighting by the
    teacher's target probability (the paper's Eq. 5).

    Reductions are over samples: ``'batchmean'`` (the paper's mean over samples), ``'sum'``, and
    ``'none'`` as a ``reduction_override``. **MMRazor's ``'mean'`` summed**: its ``F.kl_div`` call
    passes the legacy ``size_average=False``, which turns ``'mean'``, ``'sum'`` and ``'none'`` into a
    sum over the batch (only ``'batchmean'`` divides by N). Its ImageNet config
    (``reduction='mean'``) therefore trained with N× the batch mean. So that a hand-ported config
    cannot silently change its numbers, ``reduction='mean'`` and ``'none'`` are refused here; the
    MMRazor converter writes ``reduction='sum'``, which gives MMRazor's numbers.

    Args:
        tau: softmax temperature in [1e-6, 100].
        alpha: weight of TCKD (>= 0).
        beta: weight of NCKD (>= 0; the paper uses 8 on ImageNet, MMRazor's config 0.5).
        reduction: ``'batchmean'`` (mean over samples) or ``'sum'``.
        loss_weight: multiplier of the loss.

    Example:
        >>> import torch
        >>> s, t, y = torch.randn(4, 10), torch.randn(4, 10), torch.tensor([0, 1, 2, 3])
        >>> loss = DKDLoss(tau=4.0, beta=8.0)
        >>> torch.allclose(loss(s, t, y, reduction_override='sum'), 4 * loss(s, t, y))
        True
    """

    paired_inputs = (('preds_S', 'preds_T'), )
    reductions = ('none', 'batchmean', 'sum')

    def __init__(self,
                 tau: float = 1.0,
                 alpha: float = 1.0,
                 beta: float = 1.0,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0):
        if reduction in ('mean', 'none'):
            raise ValueError(
                f"DKDLoss: reduction={reduction!r} is refused: MMRazor's DKDLoss summed over the "
                f"batch for {reduction!r} (legacy size_average=False in its F.kl_div). Write "
                "reduction='sum' to keep MMRazor's numbers, or 'batchmean' for the paper's mean "
                'over samples.')
        super().__init__(loss_weight, reduction)
        self.tau = check_temperature(self.name, 'tau', tau)
        self.alpha = check_loss_weight(self.name, alpha, 'alpha')
        self.beta = check_loss_weight(self.name, beta, 'beta')

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                gt_labels: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student logits [N, C].
            preds_T: teacher logits [N, C].
            gt_labels: class index of every sample [N] (the labels the student's classification
                loss receives).
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        loss = decoupled_kd(preds_S, preds_T, gt_labels, self.tau, self.alpha, self.beta)
        return self.reduce(loss, weight, avg_factor, reduction_override)
