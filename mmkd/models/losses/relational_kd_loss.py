"""RKD (Park et al., CVPR 2019): distill distances and angles between the samples of a batch."""
import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss
from .led_loss import group_relation_loss


def flat_embeddings(preds: torch.Tensor, with_l2_norm: bool) -> torch.Tensor:
    """[N, ...] -> [N, D] flattened per sample, L2-normalised with ``with_l2_norm``."""
    preds = preds.reshape(preds.shape[0], -1)
    return F.normalize(preds, p=2, dim=1) if with_l2_norm else preds


class RelationLoss(BaseDistillLoss):
    """What both RKD terms share: flatten (and L2-normalise) each sample's embedding, then
    :meth:`relation` between the student's and the teacher's batch, times ``loss_weight``."""

    reductions = ('mean', )

    def __init__(self, loss_weight: float, with_l2_norm: bool = True):
        super().__init__(loss_weight)
        self.with_l2_norm = with_l2_norm

    def relation(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> torch.Tensor:
        """
        Args:
            preds_S: student embeddings or maps [N, ...].
            preds_T: teacher embeddings or maps [N, ...] (any size per sample).
        """
        if preds_S.shape[0] != preds_T.shape[0]:
            raise ValueError(f'{self.name}: student batch {preds_S.shape[0]} != teacher batch '
                             f'{preds_T.shape[0]}')
        return self.loss_weight * self.relation(flat_embeddings(preds_S, self.with_l2_norm),
                                                flat_embeddings(preds_T, self.with_l2_norm))


@MODELS.register_module()
class DistanceWiseRKD(RelationLoss):
    """RKD's distance term: ``loss_weight · mean_{j,k} huber(d̂^s_jk − d̂^t_jk)`` over all N² pairs.

    ``d̂`` are the Euclidean distances between the (flattened, L2-normalised) embeddings of the
    batch divided by their mean over the pairs ``j ≠ k``. It is the relation loss of
    :func:`~mmkd.models.losses.group_relation_loss` (L2D's LED and
    :class:`~mmkd.models.losses.FeatureRelationLoss`) divided by N: those sum over pairs and divide
    by N, this averages over the N² entries of the distance matrix (its zero diagonal included), as
    MMRazor does; FeatureRelationLoss also pools maps where this flattens them. Feature sizes of
    student and teacher may differ. The teacher gets no gradient; a batch of 1 gives 0 (MMRazor:
    NaN).

    Args:
        loss_weight: multiplier of the loss (MMRazor's default 25).
        with_l2_norm: L2-normalise each flattened embedding first.

    Example:
        >>> import torch
        >>> x = torch.randn(6, 16)
        >>> DistanceWiseRKD()(x, 5 * x).item() < 1e-6  # distance structure is scale-free
        True
    """

    def __init__(self, loss_weight: float = 25.0, with_l2_norm: bool = True):
        super().__init__(loss_weight, with_l2_norm)

    def relation(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        members = torch.ones(1, student.shape[0], dtype=torch.bool, device=student.device)
        return group_relation_loss(student[None], teacher[None], members)[0] / student.shape[0]


def pair_angles(embeddings: torch.Tensor) -> torch.Tensor:
    """``cos ∠(e_j − e_i, e_k − e_i)`` for all ``i, j, k``: [N, D] -> [N, N, N] (0 where j or k
    is i: the zero difference vector normalises to 0)."""
    differences = F.normalize(embeddings[None] - embeddings[:, None], p=2, dim=2)
    return differences @ differences.transpose(1, 2)


@MODELS.register_module()
class AngleWiseRKD(RelationLoss):
    """RKD's angle term: ``loss_weight · mean_{i,j,k} huber(cos ∠^s_ijk − cos ∠^t_ijk)``.

    The angles at each sample ``i`` between the difference vectors to ``j`` and ``k``, over all N³
    triples (as MMRazor, whose mean also counts the triples with ``j = i`` or ``k = i``, which
    are 0 on both sides). Memory is O(N²·D). The teacher side is not detached (as in MMRazor).

    Args:
        loss_weight: multiplier of the loss (MMRazor's default 50).
        with_l2_norm: L2-normalise each flattened embedding first.

    Example:
        >>> import torch
        >>> x = torch.randn(5, 8)
        >>> AngleWiseRKD(with_l2_norm=False)(x, 3 * x + 1).item() < 1e-6  # scale, shift: same angles
        True
    """

    def __init__(self, loss_weight: float = 50.0, with_l2_norm: bool = True):
        super().__init__(loss_weight, with_l2_norm)

    def relation(self, student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        return F.smooth_l1_loss(pair_angles(student), pair_angles(teacher))
