"""MMRazor's ``KLDivergence``: temperature-softened KL with element-wise reductions."""
from typing import Optional

import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_temperature
from .kd_loss import soft_kl


@MODELS.register_module()
class KLDivergence(BaseDistillLoss):
    """``loss_weight · tau² · KL(softmax(t/tau) ‖ softmax(s/tau))``, reduced as ``F.kl_div`` does.

    The softmax runs over dim 1: the classes of ``[N, C]`` logits, and the channels at every
    position of dense ``[N, C, H, W]`` maps. The element-wise terms ``tau² p_t (log p_t − log p_s)``
    are reduced like MMRazor's (which passes its ``reduction`` to ``F.kl_div``):

    * ``'batchmean'`` (default): sum / N — on logits the same as
      :class:`~mmkd.models.losses.KDLoss` with ``reduction='mean'``; on dense maps the per-pixel
      KLs are *summed* over positions and divided by N;
    * ``'mean'``: sum / (number of elements) — on logits this is ``batchmean / C`` (1000× smaller
      on ImageNet; MMRazor's FitNets and AB configs use it, with their loss weights tuned to it);
    * ``'sum'``; ``'none'``: the element-wise tensor.

    ``weight`` is per sample ``[N]`` (or per element); ``avg_factor`` replaces the divisor of
    ``'mean'`` and ``'batchmean'``.

    Args:
        tau: softmax temperature in [1e-6, 100].
        reduction: ``'batchmean'``, ``'mean'``, ``'sum'`` or ``'none'``, as above.
        loss_weight: multiplier of the loss.
        teacher_detach: stop gradients into the teacher logits (MMRazor's data-free methods set
            ``False``; with a frozen teacher it changes nothing).

    Example:
        >>> import torch
        >>> s, t = torch.randn(4, 10), torch.randn(4, 10)
        >>> batchmean = KLDivergence(tau=2.0)(s, t)
        >>> torch.allclose(KLDivergence(tau=2.0, reduction='mean')(s, t), batchmean / 10)
        True
    """

    paired_inputs = (('preds_S', 'preds_T'), )
    reductions = ('none', 'batchmean', 'mean', 'sum')

    def __init__(self,
                 tau: float = 1.0,
                 reduction: str = 'batchmean',
                 loss_weight: float = 1.0,
                 teacher_detach: bool = True):
        super().__init__(loss_weight, reduction)
        self.tau = check_temperature(self.name, 'tau', tau)
        self.teacher_detach = teacher_detach

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student logits [N, C] or dense maps [N, C, H, W].
            preds_T: teacher logits or maps, same shape.
            weight: per-sample [N] or per-element weights.
            avg_factor: divisor of ``'mean'`` / ``'batchmean'`` instead of the default.
            reduction_override: overrides ``reduction``.
        """
        loss = soft_kl(preds_S, preds_T, self.tau, self.teacher_detach)
        return self.reduce(loss, weight, avg_factor, reduction_override)
