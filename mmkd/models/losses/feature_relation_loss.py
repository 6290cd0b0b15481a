"""L2D's optional feature term: the distance structure of pooled backbone features over the batch."""
from typing import Sequence, Union

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss
from .led_loss import group_relation_loss

Features = Union[torch.Tensor, Sequence[torch.Tensor]]


def pooled(features: Features) -> torch.Tensor:
    """[N, D] from a feature map [N, D, H, W] (global average pooling), tokens [N, L, D] (mean
    over tokens), an [N, D] vector, or a tuple of stages (the last one)."""
    if isinstance(features, (tuple, list)):
        features = features[-1]
    if features.dim() == 4:
        return features.mean(dim=(2, 3))
    if features.dim() == 3:
        return features.mean(dim=1)
    return features


@MODELS.register_module()
class FeatureRelationLoss(BaseDistillLoss):
    """RKD's distance term on globally pooled features: ``loss_weight · R(f^s, f^t)``.

    L2D's ``lambda_ft`` feature term (off in its released config). ``f = GAP(F)`` of the last
    backbone map, for the student and the teacher; the batch is one group and ``R`` is the relation
    loss of :func:`~mmkd.models.losses.group_relation_loss`: pairwise distances divided by their
    mean, Huber between student and teacher, summed over pairs and divided by N. Feature sizes may
    differ (ResNet-34: 512, ResNet-101: 2048). The original also offers RKD's angle term, PKT and
    ReviewKD, which do not run as released (spec P2); only the distance term is provided.

    To switch it on in an L2D config, record the last stages and add the loss::

        student_records=dict(..., feats=dict(module='backbone', index=-1)),
        teachers=dict(teacher=dict(..., records=dict(..., feats=dict(module='backbone', index=-1)))),
        distill_losses=dict(..., loss_ft=dict(type='FeatureRelationLoss', loss_weight=1.0,
                                             inputs=dict(feats_S='student.feats',
                                                         feats_T='teacher.feats')))

    Args:
        loss_weight: λ_ft.

    Example:
        >>> import torch
        >>> loss = FeatureRelationLoss(loss_weight=1.0)
        >>> loss(torch.randn(8, 512, 7, 7), torch.randn(8, 2048, 7, 7)).shape
        torch.Size([])
    """

    reductions = ('mean', )  # one relation over the batch

    def __init__(self, loss_weight: float = 1.0):
        super().__init__(loss_weight)

    def forward(self, feats_S: Features, feats_T: Features) -> torch.Tensor:
        """
        Args:
            feats_S: student features (map, tokens, vector or tuple of stages), batch N.
            feats_T: teacher features, batch N.
        """
        student, teacher = pooled(feats_S), pooled(feats_T).detach()
        if student.size(0) != teacher.size(0):
            raise ValueError(f'FeatureRelationLoss: student batch {student.size(0)} != teacher '
                             f'batch {teacher.size(0)}')
        members = torch.ones(1, student.size(0), dtype=torch.bool, device=student.device)
        return self.loss_weight * group_relation_loss(student[None], teacher[None], members)[0]
