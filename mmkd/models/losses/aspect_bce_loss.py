"""MaKD's aspect loss: binary cross-entropy between aspect logits and MLLM yes-probabilities."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss


def aspect_bce(aspect_logits: torch.Tensor, yes_probs: torch.Tensor) -> torch.Tensor:
    """Element-wise ``-[t·log σ(s) + (1-t)·log(1-σ(s))]``, shape ``[N, Q]``.

    ``yes_probs`` are soft targets in [0, 1] (detached); the optimum is ``s = logit(t)``, the MLLM's
    yes-vs-no log-odds.
    """
    if aspect_logits.shape != yes_probs.shape:
        raise ValueError(f'aspect logits {tuple(aspect_logits.shape)} and targets '
                         f'{tuple(yes_probs.shape)} differ in shape: is num_aspects the number '
                         'of questions the targets were extracted for?')
    yes_probs = yes_probs.detach().to(aspect_logits)
    if yes_probs.numel() and (yes_probs.min() < 0 or yes_probs.max() > 1):
        raise ValueError('aspect targets must be yes-probabilities in [0, 1], got values in '
                         f'[{yes_probs.min().item():.3g}, {yes_probs.max().item():.3g}] '
                         '(raw logits? use the json / store record `aspect_probs`)')
    return F.binary_cross_entropy_with_logits(aspect_logits, yes_probs, reduction='none')


@MODELS.register_module()
class AspectBCELoss(BaseDistillLoss):
    """``loss_weight · mean_{b,q} BCE(σ(s_bq), t_bq)``: MaKD's multi-aspect distillation term.

    The mean runs over all ``N·Q`` elements (as in the original ``MaKD.py``); with ``weight`` of
    shape ``[N]`` or ``[N, Q]`` samples or aspects are weighted. MaKD uses ``loss_weight=4``
    (``ALPHA``) beside a cross-entropy of weight 1 on the class logits.

    Args:
        loss_weight: multiplier (MaKD's α).
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> loss = AspectBCELoss(loss_weight=4.0)
        >>> loss(torch.randn(8, 50), torch.rand(8, 50)).shape
        torch.Size([])
    """

    paired_inputs = (('preds_S', 'preds_T'), )

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: the student's aspect logits [N, Q].
            preds_T: the MLLM's yes-probabilities [N, Q].
            weight: per-sample [N] or per-element [N, Q] weights.
            avg_factor: divide the sum by this instead of N·Q.
            reduction_override: overrides ``reduction``.
        """
        loss = aspect_bce(preds_S, preds_T)
        return self.reduce(loss, weight, avg_factor, reduction_override)
