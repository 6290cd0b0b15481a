"""DIST (Huang et al., NeurIPS 2022): match inter-class and intra-class relations of predictions."""
import torch

from mmkd.registry import MODELS
from .base import BaseDistillLoss, check_loss_weight, check_temperature

EPS = 1e-8


def pearson_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pearson correlation of every row of ``a`` with the same row of ``b``, shape [rows].

    ``cos(a − mean(a), b − mean(b))`` with ``1e-8`` added to the product of norms (as DIST's code).
    """
    a = a - a.mean(dim=1, keepdim=True)
    b = b - b.mean(dim=1, keepdim=True)
    return (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1) + EPS)


@MODELS.register_module()
class DISTLoss(BaseDistillLoss):
    """``loss_weight · tau² · (w_inter · (1 − mean_n ρ(y^s_n, y^t_n)) + w_intra · (1 − mean_c
    ρ(y^s_:c, y^t_:c)))`` with ``y = softmax(z / tau)`` and ρ the Pearson correlation.

    The inter-class term correlates each sample's class distribution with the teacher's; the
    intra-class term correlates, for each class, its probabilities across the batch. Both depend on
    the whole batch, so this loss takes no per-sample ``weight``.

    Args:
        inter_loss_weight: weight of the inter-class term (>= 0).
        intra_loss_weight: weight of the intra-class term (>= 0).
        tau: softmax temperature in [1e-6, 100].
        loss_weight: multiplier of the loss.
        teacher_detach: stop gradients into the teacher logits.

    Example:
        >>> import torch
        >>> logits = torch.randn(8, 10)
        >>> DISTLoss()(logits, 3 * logits).item() < 0.2  # correlated, not equal
        True
    """

    paired_inputs = (('logits_S', 'logits_T'), )
    reductions = ('mean', )

    def __init__(self,
                 inter_loss_weight: float = 1.0,
                 intra_loss_weight: float = 1.0,
                 tau: float = 1.0,
                 loss_weight: float = 1.0,
                 teacher_detach: bool = True):
        super().__init__(loss_weight)
        self.inter_loss_weight = check_loss_weight(self.name, inter_loss_weight,
                                                   'inter_loss_weight')
        self.intra_loss_weight = check_loss_weight(self.name, intra_loss_weight,
                                                   'intra_loss_weight')
        self.tau = check_temperature(self.name, 'tau', tau)
        self.teacher_detach = teacher_detach

    def forward(self, logits_S: torch.Tensor, logits_T: torch.Tensor) -> torch.Tensor:
        """
        Args:
            logits_S: student logits [N, C].
            logits_T: teacher logits [N, C].
        """
        if logits_S.shape != logits_T.shape or logits_S.dim() != 2:
            raise ValueError(f'{self.name} needs [N, C] student and teacher logits of one shape; '
                             f'got {tuple(logits_S.shape)} and {tuple(logits_T.shape)}')
        if self.teacher_detach:
            logits_T = logits_T.detach()
        y_s = (logits_S / self.tau).softmax(dim=1)
        y_t = (logits_T / self.tau).softmax(dim=1)
        inter = 1 - pearson_rows(y_s, y_t).mean()
        intra = 1 - pearson_rows(y_s.t(), y_t.t()).mean()
        return self.loss_weight * self.tau**2 * (self.inter_loss_weight * inter
                                                 + self.intra_loss_weight * intra)
