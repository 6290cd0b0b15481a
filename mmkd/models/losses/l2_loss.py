"""MMRazor's ``L2Loss`` (FitNets' hint loss there): squared distance of (normalised) features."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_number


@MODELS.register_module()
class L2Loss(BaseDistillLoss):
    """Squared L2 distance between student and teacher features, per sample.

    Each sample's features are flattened to ``f_n`` (any shape ``[N, ...]``); with
    ``normalize=True`` (default) they become ``mult · f_n / ‖f_n‖₂``. The per-sample value is
    ``d_n = ‖f^s_n − f^t_n‖²`` (divided by the number of features per sample with
    ``div_element=True``), reduced over samples; ``dist=True`` instead gives ``sqrt(Σ_n d_n)``
    (``torch.dist`` of the whole batch). Defaults reproduce MMRazor: mean over samples.

    Compared with :class:`~mmkd.models.losses.FeatureImitationLoss` (mmkd's FitNets loss): that one
    does not normalise, averages over elements (``L2Loss(normalize=False, div_element=True)`` on one
    map of one size), resizes the student map and takes FPN levels. On the same unnormalised inputs
    MMRazor's FitNets default (``normalize=True, loss_weight=10``) and FeatureImitationLoss give
    entirely different values: use this loss to keep MMRazor's numbers. The teacher side is not
    detached (as in MMRazor; a teacher-side connector trains through it). MMRazor divides by the
    norm itself (an all-zero sample gives NaN); this clamps the norm at 1e-12 (``F.normalize``),
    equal everywhere else.

    Args:
        loss_weight: multiplier of the loss.
        normalize: L2-normalise each flattened sample first.
        mult: scale of the normalised features.
        div_element: divide each sample's squared distance by its number of features.
        dist: return ``sqrt`` of the summed squared distance over the batch (then ``reduction``,
            ``avg_factor`` and ``reduction_override`` must stay at their defaults).
        reduction: ``'mean'`` (over samples), ``'sum'`` or ``'none'``.

    Example:
        >>> import torch
        >>> s, t = torch.randn(4, 8, 3, 3), torch.randn(4, 8, 3, 3)
        >>> plain = L2Loss(normalize=False)(s, t)
        >>> torch.allclose(plain, (s - t).pow(2).sum() / 4)
        True
        >>> torch.allclose(L2Loss(normalize=False, dist=True)(s, t), torch.dist(s, t))
        True
    """

    paired_inputs = (('s_feature', 't_feature'), )

    def __init__(self,
                 loss_weight: float = 1.0,
                 normalize: bool = True,
                 mult: float = 1.0,
                 div_element: bool = False,
                 dist: bool = False,
                 reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.normalize = normalize
        self.mult = check_number(self.name, 'mult', mult, 0, low_inclusive=False)
        self.div_element = div_element
        self.dist = dist
        if dist and reduction != 'mean':
            raise ValueError(f'{self.name}: dist=True computes sqrt of the summed squared '
                             f'distance; reduction={reduction!r} has no meaning with it')

    def _flat(self, feature: torch.Tensor) -> torch.Tensor:
        feature = feature.reshape(feature.shape[0], -1)
        if self.normalize:
            feature = F.normalize(feature, p=2, dim=1) * self.mult
        return feature

    def forward(self,
                s_feature: torch.Tensor,
                t_feature: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            s_feature: student features [N, ...].
            t_feature: teacher features, same shape.
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        if s_feature.shape != t_feature.shape:
            raise ValueError(f'{self.name}: student features {tuple(s_feature.shape)} and '
                             f'teacher features {tuple(t_feature.shape)} differ; map the '
                             "student's with a connector (e.g. ConvModuleConnector)")
        squared = (self._flat(s_feature) - self._flat(t_feature)).pow(2)
        loss = squared.sum(dim=1)
        if self.dist:
            if avg_factor is not None or reduction_override is not None:
                raise ValueError(f'{self.name}: dist=True takes no avg_factor or '
                                 'reduction_override')
            if weight is not None:
                loss = loss * weight.to(loss)
            return self.loss_weight * loss.sum().sqrt()
        if self.div_element:
            loss = loss / squared.shape[1]
        return self.reduce(loss, weight, avg_factor, reduction_override)
