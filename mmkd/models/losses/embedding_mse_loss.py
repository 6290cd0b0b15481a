"""L-mse of Li et al. (ICCV 2023): match the teacher's image embedding direction."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss


def embedding_mse(student_embeds: torch.Tensor, teacher_embeds: torch.Tensor) -> torch.Tensor:
    """Per-sample ``‖s_hat − t_hat‖²`` (= ``2 − 2 cos``) of L2-normalised embeddings, shape [B].

    The teacher is detached.
    """
    if student_embeds.shape != teacher_embeds.shape:
        raise ValueError(f'student embeddings {tuple(student_embeds.shape)} and teacher '
                         f'embeddings {tuple(teacher_embeds.shape)} differ; project the student '
                         'into the teacher space (TextPrototypeClsHead embed_dim)')
    diff = F.normalize(student_embeds, dim=-1) - F.normalize(teacher_embeds.detach(), dim=-1)
    return diff.pow(2).sum(dim=-1)


@MODELS.register_module()
class EmbeddingMSELoss(BaseDistillLoss):
    """``loss_weight · mean_i ‖s_hat_i − t_hat_i‖²`` — the paper's L-mse (weight 1 in the paper).

    Args:
        loss_weight: multiplier of the loss.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` over samples.

    Example:
        >>> loss = EmbeddingMSELoss()
        >>> float(loss(torch.ones(2, 4), torch.ones(2, 4)))
        0.0
    """

    paired_inputs = (('student_embeds', 'teacher_embeds'), )

    def forward(self,
                student_embeds: torch.Tensor,
                teacher_embeds: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            student_embeds: [B, D] student embeddings (not normalised).
            teacher_embeds: [B, D] teacher image embeddings.
            weight: per-sample weights [B].
            avg_factor: divide the sum by this instead of B.
            reduction_override: overrides ``reduction``.
        """
        loss = embedding_mse(student_embeds, teacher_embeds)
        return self.reduce(loss, weight, avg_factor, reduction_override)
