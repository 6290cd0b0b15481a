"""Channel-wise distillation (Shu et al., ICCV 2021) for dense predictions."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_temperature
from .dense_pairs import DenseMaps, pair_dense_maps


def channel_wise_divergence(preds_S: DenseMaps, preds_T: DenseMaps, tau: float) -> torch.Tensor:
    """Per-sample channel-wise divergence, shape [N].

    Every channel of a map is turned into a distribution over its ``H·W`` positions,
    ``softmax(y_c / tau)``; the loss is ``tau² / C · Σ_c KL(φ(T_c) ‖ φ(S_c))`` per sample, summed
    over levels. The mean over the batch is the paper's ``tau² / (N·C) Σ_{n,c} KL``.
    The teacher is detached.
    """
    total = 0
    for s, t in pair_dense_maps(preds_S, preds_T, 'ChannelWiseDivergence'):
        log_p_s = F.log_softmax(s.flatten(2) / tau, dim=2)
        log_p_t = F.log_softmax(t.flatten(2) / tau, dim=2)
        kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=2)  # [N, C]
        total = total + kl.mean(dim=1) * tau**2
    return total


@MODELS.register_module()
class ChannelWiseDivergence(BaseDistillLoss):
    """CWD loss: match each channel's spatial distribution of dense logits or features.

    ``loss_weight · tau² / (N·C) · Σ_{n,c} KL(softmax(T_{n,c}/tau) ‖ softmax(S_{n,c}/tau))`` where
    each softmax runs over the ``H×W`` positions of one channel (for segmentation logits: where in
    the image each class is). One map or a tuple of levels (the per-level scores of a dense
    detection head); levels are summed; a student map of another size is resized (bilinear) to the
    teacher's first, so a transformer teacher at another stride works without an assert.

    MMRazor's ``ChannelWiseDivergence(tau, loss_weight)`` is this loss: the same formula (to
    1e-7 relative) on one map of one size. Where MMRazor asserts equal sizes, this resizes the
    student; where it takes one map, this also takes FPN levels; MMRazor does not detach the
    teacher (its records come from a no-grad teacher anyway).

    Args:
        tau: softmax temperature in [1e-6, 100]; the paper uses 4 for segmentation logits.
        loss_weight: multiplier of the loss (the paper uses 3 with ``tau=4`` on Cityscapes).
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> loss = ChannelWiseDivergence(tau=4.0, loss_weight=3.0)
        >>> logits = torch.randn(2, 19, 16, 32)
        >>> loss(logits, logits).item()
        0.0
        >>> loss(torch.randn(2, 19, 8, 16), logits).item() > 0
        True
    """

    #: inputs whose shapes must match (checked by the distiller before training)
    paired_inputs = (('preds_S', 'preds_T'), )

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.tau = check_temperature(self.name, 'tau', tau)

    def forward(self,
                preds_S: DenseMaps,
                preds_T: DenseMaps,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student logits or features [N, C, H, W], or a tuple of levels.
            preds_T: the teacher's, same channels and levels.
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        loss = channel_wise_divergence(preds_S, preds_T, self.tau)
        return self.reduce(loss, weight, avg_factor, reduction_override)
