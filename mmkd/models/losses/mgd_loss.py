"""MGD (Yang et al., ECCV 2022): the student's masked features must generate the teacher's."""
from typing import Optional

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_loss_weight


@MODELS.register_module()
class MGDLoss(BaseDistillLoss):
    """``alpha_mgd · mean_n Σ_{c,h,w} (G(S)_n − T_n)²``: summed squared error per sample.

    ``G(S)`` is the output of :class:`~mmkd.models.connectors.MGDConnector` (random spatial mask,
    then a two-conv generation block) on the student's features; feed the loss from that
    connector. ``alpha_mgd`` is the loss weight (MGD has no other), so this loss has no separate
    ``loss_weight``. Compared with :class:`~mmkd.models.losses.FeatureImitationLoss`: the squared
    error summed over C·H·W instead of averaged (hence the 2e-5 weight). The teacher side is not
    detached (as in MMRazor).

    Args:
        alpha_mgd: the loss weight (MGD's default 2e-5).
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> float(MGDLoss(alpha_mgd=0.5)(torch.zeros(2, 3, 2, 2), torch.ones(2, 3, 2, 2)))
        6.0
    """

    paired_inputs = (('preds_S', 'preds_T'), )

    def __init__(self, alpha_mgd: float = 0.00002, reduction: str = 'mean'):
        super().__init__(check_loss_weight(type(self).__name__, alpha_mgd, 'alpha_mgd'), reduction)

    @property
    def alpha_mgd(self) -> float:
        return self.loss_weight

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: the generated features [N, C, H, W] (the MGDConnector's output).
            preds_T: the teacher's features, same shape.
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        if preds_S.shape != preds_T.shape:
            raise ValueError(f'{self.name}: generated features {tuple(preds_S.shape)} and teacher '
                             f'features {tuple(preds_T.shape)} differ (MGDConnector '
                             'teacher_channels must be the teacher\'s channels)')
        loss = (preds_S - preds_T).pow(2).flatten(1).sum(dim=1)
        return self.reduce(loss, weight, avg_factor, reduction_override)
