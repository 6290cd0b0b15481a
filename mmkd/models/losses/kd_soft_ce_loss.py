"""MMRazor's ``KDSoftCELoss``: Hinton's soft-target cross-entropy."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_temperature


@MODELS.register_module()
class KDSoftCELoss(BaseDistillLoss):
    """``loss_weight · tau² · (−Σ_c softmax(t/tau)_c · log softmax(s/tau)_c)`` per sample.

    The cross-entropy of the student's softened distribution against the teacher's soft targets
    (mmpretrain's ``soft_cross_entropy``). It differs from the KL of
    :class:`~mmkd.models.losses.KDLoss` by ``tau² · H(softmax(t/tau))``, the teacher's entropy: the
    same gradient, a larger value (it is not 0 when the student matches the teacher). The softmax
    runs over the last dim and the teacher side is not detached, as in MMRazor (teacher records
    carry no gradient; a connector on the teacher side trains through it).

    Args:
        tau: softmax temperature in [1e-6, 100].
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.
        mult_tem_square: multiply by ``tau²``.
        loss_weight: multiplier of the loss.

    Example:
        >>> import torch
        >>> logits = torch.randn(4, 10)
        >>> entropy = -(logits.softmax(-1) * logits.log_softmax(-1)).sum(-1).mean()
        >>> torch.allclose(KDSoftCELoss()(logits, logits), entropy)
        True
    """

    paired_inputs = (('preds_S', 'preds_T'), )

    def __init__(self,
                 tau: float = 1.0,
                 reduction: str = 'mean',
                 mult_tem_square: bool = True,
                 loss_weight: float = 1.0):
        super().__init__(loss_weight, reduction)
        self.tau = check_temperature(self.name, 'tau', tau)
        self.mult_tem_square = mult_tem_square

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student logits [N, C].
            preds_T: teacher logits [N, C].
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        if preds_S.shape != preds_T.shape:
            raise ValueError(f'{self.name}: student logits {tuple(preds_S.shape)} and teacher '
                             f'logits {tuple(preds_T.shape)} differ in shape')
        soft_targets = F.softmax(preds_T / self.tau, dim=-1)
        loss = -(soft_targets * F.log_softmax(preds_S / self.tau, dim=-1)).sum(dim=-1)
        if self.mult_tem_square:
            loss = loss * self.tau**2
        return self.reduce(loss, weight, avg_factor, reduction_override)
