"""LED (Yang et al., ICCV 2023): label-wise embedding distillation by distance structure."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmpretrain.structures import label_to_onehot

from mmkd.registry import MODELS
from mmkd.utils.dist import all_gather_cat
from .base import BaseDistillLoss, at_least_fp32, check_loss_weight


def pairwise_distances(embeddings: torch.Tensor) -> torch.Tensor:
    """Euclidean distances within each group: [G, n, D] -> [G, n, n], zero on the diagonal.

    ``sqrt(max(‖a‖² + ‖b‖² − 2 a·b, 1e-12))`` off the diagonal, as L2D computes them.
    """
    squared_norms = embeddings.pow(2).sum(dim=-1)
    squared = (squared_norms.unsqueeze(-1) + squared_norms.unsqueeze(-2)
               - 2 * embeddings @ embeddings.transpose(-1, -2))
    distances = squared.clamp(min=1e-12).sqrt()
    off_diagonal = ~torch.eye(embeddings.size(-2), dtype=torch.bool, device=embeddings.device)
    return distances * off_diagonal


def group_relation_loss(student: torch.Tensor, teacher: torch.Tensor,
                        members: torch.Tensor) -> torch.Tensor:
    """The relation loss of every group, [G]: Huber between mean-normalised distance matrices.

    For group ``g`` with members ``M = {j : members[g, j]}`` (``n = |M|``), distances ``D`` among
    the members are divided by their mean over ordered pairs ``j ≠ k``, and
    ``R_g = (1/n) Σ_{j,k∈M} huber_1(Ď^s_jk − Ď^t_jk)``. Non-members get no gradient; groups with
    fewer than 2 members give 0 (and groups of exactly 2 give 0: both normalised distances are 1).

    Args:
        student: [G, n, D] student embeddings.
        teacher: [G, n, D'] teacher embeddings (detached; ``D'`` may differ from ``D``).
        members: [G, n] bool, which entries belong to each group.
    """
    members = members.bool()
    pairs = members.unsqueeze(-1) & members.unsqueeze(-2)
    pairs &= ~torch.eye(members.size(-1), dtype=torch.bool, device=members.device)
    num_pairs = pairs.sum(dim=(-1, -2)).clamp(min=1)

    def normalised(embeddings: torch.Tensor) -> torch.Tensor:
        distances = pairwise_distances(at_least_fp32(embeddings)) * pairs
        mean = distances.sum(dim=(-1, -2)) / num_pairs
        return distances / mean.clamp(min=1e-12)[:, None, None]

    with torch.no_grad():
        teacher_relations = normalised(teacher)
    huber = F.smooth_l1_loss(normalised(student), teacher_relations, reduction='none', beta=1.0)
    huber = torch.where(pairs, huber, torch.zeros_like(huber))
    return huber.sum(dim=(-1, -2)) / members.sum(dim=-1).clamp(min=1)


def class_distance_loss(student: torch.Tensor, teacher: torch.Tensor,
                        labels: torch.Tensor) -> torch.Tensor:
    """CD, class-aware, per class [C]: for each class, the relations among the embeddings of that
    class in the images that have it (``e[P_c, c]``).

    Args:
        student: [N, C, D] label-wise embeddings of the student.
        teacher: [N, C, D'] label-wise embeddings of the teacher.
        labels: [N, C] multi-hot ground truth.
    """
    return group_relation_loss(student.transpose(0, 1), teacher.transpose(0, 1), labels.t() > 0)


def instance_distance_loss(student: torch.Tensor, teacher: torch.Tensor,
                           labels: torch.Tensor) -> torch.Tensor:
    """ID, instance-aware, per image [N]: for each image, the relations among the embeddings of its
    positive labels (``e[i, Q_i]``). Arguments as in :func:`class_distance_loss`."""
    return group_relation_loss(student, teacher, labels > 0)


def multi_hot_labels(data_samples: Sequence, num_classes: int,
                     device: torch.device) -> torch.Tensor:
    """[N, C] float multi-hot ground truth of mmpretrain data samples (``gt_label`` indices)."""
    rows: List[torch.Tensor] = []
    for index, sample in enumerate(data_samples):
        if 'gt_label' not in sample:
            raise KeyError(f'LEDLoss needs ground-truth labels; data sample {index} '
                           f"({sample.metainfo.get('img_path', 'no img_path')}) has no gt_label")
        rows.append(label_to_onehot(sample.gt_label, num_classes))
    return torch.stack(rows).to(device=device, dtype=torch.float32)


@MODELS.register_module()
class LEDLoss(BaseDistillLoss):
    """Label-wise embedding distillation: ``loss_weight · (λ_cd · CD + λ_id · ID)``.

    Only the embeddings of **ground-truth positive** labels are distilled, and only their distance
    structure (distances divided by their mean, compared with a Huber loss): the loss is invariant
    to scale, rotation and translation of either side, and teacher and student embedding sizes may
    differ. See :func:`class_distance_loss` (CD) and :func:`instance_distance_loss` (ID).

    Reductions: ``'sum'`` over groups (the original: CD sums over classes, ID over images, so the
    loss grows with batch size and label density) or ``'mean'`` over the groups with at least two
    positives.

    Distributed training: with ``gather_global_batch=True`` CD is computed on the embeddings and
    labels gathered from every rank (the local shard keeps its gradient), so its groups are those of
    the global batch, as with the original's single-process ``DataParallel``. Each rank then computes
    the same CD, and DDP's gradient averaging yields ``∇CD_global / world_size`` — the same
    ``1 / world_size`` factor that every summed term (ID, a summed BCE) gets under DDP. ID needs no
    gathering (its groups are single images).

    Args:
        lambda_cd: weight of CD (L2D: 100), checked like ``loss_weight``.
        lambda_id: weight of ID (L2D: 1000), checked like ``loss_weight``.
        loss_weight: overall multiplier (λ_le, L2D: 1).
        reduction: ``'sum'`` or ``'mean'`` over groups.
        gather_global_batch: compute CD on the global batch under distributed training.

    Example:
        >>> import torch
        >>> from mmpretrain.structures import DataSample
        >>> samples = [DataSample().set_gt_label([0, 2, 3]) for _ in range(4)]
        >>> loss = LEDLoss()
        >>> loss(torch.randn(4, 5, 16), torch.randn(4, 5, 32), samples).shape
        torch.Size([])
    """

    reductions = ('sum', 'mean')
    paired_inputs = (('embeddings_S', 'embeddings_T'), )

    def __init__(self, lambda_cd: float = 100.0, lambda_id: float = 1000.0,
                 loss_weight: float = 1.0, reduction: str = 'sum',
                 gather_global_batch: bool = True):
        super().__init__(loss_weight, reduction)
        self.lambda_cd = check_loss_weight(self.name, lambda_cd, 'lambda_cd')
        self.lambda_id = check_loss_weight(self.name, lambda_id, 'lambda_id')
        self.gather_global_batch = gather_global_batch

    def _reduce(self, per_group: torch.Tensor, members: torch.Tensor) -> torch.Tensor:
        if self.reduction == 'sum':
            return per_group.sum()
        return per_group.sum() / (members.sum(dim=-1) >= 2).sum().clamp(min=1)

    def forward(self, embeddings_S: torch.Tensor, embeddings_T: torch.Tensor,
                data_samples: Optional[Sequence] = None,
                labels: Optional[torch.Tensor] = None) -> torch.Tensor:
        """
        Args:
            embeddings_S: student label-wise embeddings [N, C, D].
            embeddings_T: teacher label-wise embeddings [N, C, D'].
            data_samples: the batch's data samples, whose ``gt_label`` selects the positives.
            labels: [N, C] multi-hot ground truth instead of ``data_samples``.
        """
        if embeddings_S.shape[:2] != embeddings_T.shape[:2]:
            raise ValueError(f'LED needs [N, C, D] embeddings with one N and C; got student '
                             f'{tuple(embeddings_S.shape)}, teacher {tuple(embeddings_T.shape)}')
        if labels is None:
            if data_samples is None:
                raise ValueError('LEDLoss needs `data_samples` (or `labels`)')
            labels = multi_hot_labels(data_samples, embeddings_S.size(1), embeddings_S.device)
        embeddings_T = embeddings_T.detach()
        loss = at_least_fp32(embeddings_S.new_zeros(()))
        if self.lambda_id:
            per_image = instance_distance_loss(embeddings_S, embeddings_T, labels)
            loss = loss + self.lambda_id * self._reduce(per_image, labels > 0)
        if self.lambda_cd:
            student, teacher, batch_labels = (
                [all_gather_cat(tensor, keep_local_grad=True)
                 for tensor in (embeddings_S, embeddings_T, labels)]
                if self.gather_global_batch else (embeddings_S, embeddings_T, labels))
            per_class = class_distance_loss(student, teacher, batch_labels)
            loss = loss + self.lambda_cd * self._reduce(per_class, batch_labels.t() > 0)
        return self.loss_weight * loss
