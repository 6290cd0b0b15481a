"""FitNets-style feature imitation: mean squared error between student and teacher feature maps."""
from typing import Optional

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss
from .dense_pairs import DenseMaps, pair_dense_maps


def feature_imitation(preds_S: DenseMaps, preds_T: DenseMaps) -> torch.Tensor:
    """Per-sample feature imitation error, shape [N].

    For every level, the squared error between the (resized) student map and the teacher map is
    averaged over channels and positions; the levels are summed, so each FPN level weighs like a
    loss of its own, whatever its resolution. The teacher is detached.
    """
    pairs = pair_dense_maps(preds_S, preds_T, 'FeatureImitationLoss')
    return sum((s - t).pow(2).flatten(1).mean(dim=1) for s, t in pairs)


@MODELS.register_module()
class FeatureImitationLoss(BaseDistillLoss):
    """FitNets hint loss (Romero et al., ICLR 2015) on one feature map or a tuple of FPN levels.

    ``loss_weight · Σ_levels mean_{c,h,w} (S' - T)²``, averaged over the batch, where ``S'`` is the
    student's map resized (bilinear) to the teacher's ``H×W``. FitNets' regressor, which maps the
    student's channels to the teacher's, is a learnable connector in front of this loss (see
    :class:`~mmkd.models.connectors.ConvConnector`): feed the loss from ``'connectors.<name>'``.
    Compared with the paper's ``½‖·‖²`` summed over elements, the mean keeps the scale of the loss
    independent of the map size; the factor is absorbed by ``loss_weight``.

    Args:
        loss_weight: multiplier of the loss.
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> loss = FeatureImitationLoss(loss_weight=2.0)
        >>> fpn_s = (torch.zeros(2, 8, 16, 16), torch.zeros(2, 8, 8, 8))
        >>> fpn_t = (torch.ones(2, 8, 32, 32), torch.ones(2, 8, 16, 16))
        >>> loss(fpn_s, fpn_t).item()
        4.0
    """

    paired_inputs = (('preds_S', 'preds_T'), )

    def forward(self,
                preds_S: DenseMaps,
                preds_T: DenseMaps,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student map(s) [N, C, H, W], already in the teacher's channels.
            preds_T: teacher map(s), as many levels as ``preds_S``.
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        loss = feature_imitation(preds_S, preds_T)
        return self.reduce(loss, weight, avg_factor, reduction_override)
