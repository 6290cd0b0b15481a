"""The auxiliary-caption loss of Li et al. (ICCV 2023): each image's embedding against the caption
embeddings of the batch, other images of its class masked out."""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_temperature
from .utils import gt_labels

MASKED_LOGIT = -1e7


def caption_contrastive(student_embeds: torch.Tensor, caption_embeds: torch.Tensor,
                        labels: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Per-sample ``−log softmax_j(G_i·)_i``, shape [B].

    ``G_ij = s_hat_i · c_hat_j / tau``, set to −1e7 where ``y_i = y_j`` and ``i ≠ j`` (a caption of
    another image of the same class is no negative). Captions are detached.
    """
    if student_embeds.shape != caption_embeds.shape:
        raise ValueError(f'student embeddings {tuple(student_embeds.shape)} and caption '
                         f'embeddings {tuple(caption_embeds.shape)} differ')
    logits = (F.normalize(student_embeds, dim=-1)
              @ F.normalize(caption_embeds.detach().to(student_embeds.dtype), dim=-1).t()
              / temperature)
    same_class = labels[:, None] == labels[None, :]
    other = ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    logits = logits.masked_fill(same_class & other, MASKED_LOGIT)
    return -logits.log_softmax(dim=1).diagonal()


@MODELS.register_module()
class CaptionContrastiveLoss(BaseDistillLoss):
    """The paper's auxiliary-caption loss: contrast student embeddings with caption embeddings.

    Args:
        temperature: tau; 1.0 as in the original (no temperature, so a weak gradient: spec
            pitfall 7); 0.07 sharpens it like the other losses.
        loss_weight: multiplier of the loss.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` over samples.

    Example:
        >>> from mmpretrain.structures import DataSample
        >>> samples = [DataSample().set_gt_label(i % 2) for i in range(4)]
        >>> CaptionContrastiveLoss()(torch.randn(4, 8), torch.randn(4, 8), samples).shape
        torch.Size([])
    """

    def __init__(self, temperature: float = 1.0, loss_weight: float = 1.0,
                 reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.temperature = check_temperature(self.name, 'temperature', temperature)

    def forward(self,
                student_embeds: torch.Tensor,
                caption_embeds: torch.Tensor,
                data_samples: Sequence,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            student_embeds: [B, D] student embeddings.
            caption_embeds: [B, D] text embeddings of each image's caption.
            data_samples: the batch's data samples (their ``gt_label`` build the mask).
            weight: per-sample weights [B].
            avg_factor: divide the sum by this instead of B.
            reduction_override: overrides ``reduction``.
        """
        labels = gt_labels(data_samples, student_embeds.device)
        loss = caption_contrastive(student_embeds, caption_embeds, labels, self.temperature)
        return self.reduce(loss, weight, avg_factor, reduction_override)
