"""L-cst of Li et al. (ICCV 2023): contrast student and teacher image embeddings in a batch."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_temperature

MODES = ('bidirectional', 'single')


def embedding_contrastive(student_embeds: torch.Tensor, teacher_embeds: torch.Tensor,
                          temperature: float, mode: str = 'bidirectional') -> torch.Tensor:
    """Per-sample InfoNCE between student and teacher embeddings, shape [B].

    ``A_ij = s_hat_i · t_hat_j / tau``; the positive of student ``i`` is teacher ``i`` and every
    other image of the batch (same class included) is a negative. ``'bidirectional'``:
    ``½(−log softmax_j(A_i·)_i − log softmax_j(A_·i)_i)``; ``'single'``: the first term only.
    The teacher is detached.
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    if student_embeds.shape != teacher_embeds.shape:
        raise ValueError(f'student embeddings {tuple(student_embeds.shape)} and teacher '
                         f'embeddings {tuple(teacher_embeds.shape)} differ')
    logits = (F.normalize(student_embeds, dim=-1)
              @ F.normalize(teacher_embeds.detach(), dim=-1).t() / temperature)
    student_to_teacher = -logits.log_softmax(dim=1).diagonal()
    if mode == 'single':
        return student_to_teacher
    teacher_to_student = -logits.log_softmax(dim=0).diagonal()
    return 0.5 * (student_to_teacher + teacher_to_student)


@MODELS.register_module()
class EmbeddingContrastiveLoss(BaseDistillLoss):
    """The paper's L-cst: ``½[CE(A, I) + CE(Aᵀ, I)]`` with ``A = s_hat t_hatᵀ / tau``.

    Args:
        temperature: tau (0.07 in the paper).
        mode: ``'bidirectional'`` (the paper's default) or ``'single'`` (student → teacher).
        loss_weight: multiplier of the loss.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` over samples.

    Example:
        >>> loss = EmbeddingContrastiveLoss()
        >>> loss(torch.randn(4, 8), torch.randn(4, 8)).shape
        torch.Size([])
    """

    def __init__(self, temperature: float = 0.07, mode: str = 'bidirectional',
                 loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        if mode not in MODES:
            raise ValueError(f'EmbeddingContrastiveLoss: mode must be one of {MODES}, got {mode!r}')
        self.temperature = check_temperature(self.name, 'temperature', temperature)
        self.mode = mode

    def forward(self,
                student_embeds: torch.Tensor,
                teacher_embeds: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            student_embeds: [B, D] student embeddings.
            teacher_embeds: [B, D] teacher image embeddings of the same images.
            weight: per-sample weights [B].
            avg_factor: divide the sum by this instead of B.
            reduction_override: overrides ``reduction``.
        """
        loss = embedding_contrastive(student_embeds, teacher_embeds, self.temperature, self.mode)
        return self.reduce(loss, weight, avg_factor, reduction_override)
