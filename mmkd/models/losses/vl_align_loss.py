"""L-vlalign of Li et al. (ICCV 2023): match the teacher's image-to-text similarity distribution
over the label texts proximal to the teacher's image embedding."""
from typing import Optional, Sequence

import torch

from mmkd.registry import MODELS
from ..heads.text_prototype_head import cosine_logits
from .base import BaseDistillLoss, check_number, check_temperature
from .utils import gt_labels


def vl_align_kl(student_embeds: torch.Tensor, teacher_embeds: torch.Tensor,
                text_embeds: torch.Tensor, temperature: float,
                num_proximal: int) -> torch.Tensor:
    """Per-sample ``KL(p_i ‖ q_i)`` over the ``k' = min(k, C)`` texts nearest the teacher, [B].

    ``Z^T = t_hat · w_hatᵀ / tau`` and ``Z^S = s_hat · w_hatᵀ / tau``; ``K_i`` = top-k' of
    ``Z^T_i``;
    ``p_i = softmax(Z^T_{i,K_i})``, ``q_i = softmax(Z^S_{i,K_i})``. The teacher side (image and
    text) is detached: with CoOp the original let this KL train the prompt through ``p`` too (spec
    pitfall 8); here the prompt gets gradients through the student side only.
    """
    if student_embeds.shape != teacher_embeds.shape:
        raise ValueError(f'student embeddings {tuple(student_embeds.shape)} and teacher '
                         f'embeddings {tuple(teacher_embeds.shape)} differ')
    if num_proximal < 1:
        raise ValueError(f'num_proximal must be >= 1, got {num_proximal}')
    student_logits = cosine_logits(student_embeds, text_embeds, temperature)
    teacher_logits = cosine_logits(teacher_embeds.detach(), text_embeds.detach(), temperature)
    k = min(num_proximal, text_embeds.shape[0])
    teacher_top, proximal = teacher_logits.topk(k, dim=1)
    log_p = teacher_top.log_softmax(dim=1)
    log_q = student_logits.gather(1, proximal).log_softmax(dim=1)
    return (log_p.exp() * (log_p - log_q)).sum(dim=1)


def teacher_aligned(teacher_embeds: torch.Tensor, text_embeds: torch.Tensor,
                    labels: torch.Tensor) -> torch.Tensor:
    """[B] bool: the teacher's zero-shot prediction over the label texts equals the label."""
    return cosine_logits(teacher_embeds, text_embeds, 1.0).argmax(dim=1) == labels


@MODELS.register_module()
class VLAlignLoss(BaseDistillLoss):
    """The paper's L-vlalign: ``mean_{i in M} KL(p_i ‖ q_i)`` over the k proximal label texts.

    With ``filter_misaligned=True``, ``M`` keeps only the images the teacher itself classifies
    correctly over the training texts (the paper's "filter out wrong alignment"); otherwise ``M`` is
    the batch. A batch where no image passes gives 0 with a gradient graph (the original's ``mean``
    over an empty set gave NaN, spec pitfall 5).

    Args:
        temperature: tau of both similarity distributions (0.07).
        num_proximal: k; ``min(k, C)`` texts are used (256 in the paper: with fewer training classes
            it is the full-softmax KL).
        filter_misaligned: drop images the teacher misclassifies (needs ``data_samples``).
        loss_weight: multiplier of the loss.
        reduction: ``'mean'`` (over M), ``'sum'`` or ``'none'``.

    Example:
        >>> loss = VLAlignLoss(num_proximal=3)
        >>> loss(torch.randn(4, 8), torch.randn(4, 8), torch.randn(5, 8)).shape
        torch.Size([])
    """

    def __init__(self, temperature: float = 0.07, num_proximal: int = 256,
                 filter_misaligned: bool = False, loss_weight: float = 1.0,
                 reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.temperature = check_temperature(self.name, 'temperature', temperature)
        self.num_proximal = check_number(self.name, 'num_proximal', num_proximal, 1, integer=True)
        self.filter_misaligned = filter_misaligned

    def forward(self,
                student_embeds: torch.Tensor,
                teacher_embeds: torch.Tensor,
                text_embeds: torch.Tensor,
                data_samples: Optional[Sequence] = None,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            student_embeds: [B, D] student embeddings.
            teacher_embeds: [B, D] teacher image embeddings.
            text_embeds: [C, D] text prototypes of the training classes.
            data_samples: the batch's data samples (their ``gt_label``); needed by the filter.
            weight: per-sample weights [B].
            avg_factor: divide the sum by this instead of the number of kept samples.
            reduction_override: overrides ``reduction``.
        """
        reduction = self._check_reduction(reduction_override or self.reduction)
        loss = vl_align_kl(student_embeds, teacher_embeds, text_embeds, self.temperature,
                           self.num_proximal)
        if self.filter_misaligned:
            if data_samples is None:
                raise ValueError('VLAlignLoss(filter_misaligned=True) needs '
                                 "inputs=dict(data_samples='data_samples', ...) for the labels")
            keep = teacher_aligned(teacher_embeds.detach(), text_embeds.detach(),
                                   gt_labels(data_samples, loss.device)).float()
            weight = keep if weight is None else weight * keep
            if reduction == 'mean' and avg_factor is None:
                if not keep.any():  # the original's mean over nothing was NaN
                    return (loss * keep).sum()
                avg_factor = keep.sum()
        return self.reduce(loss, weight, avg_factor, reduction)
