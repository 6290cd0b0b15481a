"""PKD (Cao et al., NeurIPS 2022): feature imitation after per-channel standardisation."""
import torch
import torch.nn.functional as F

from mmkd.registry import MODELS
from .base import BaseDistillLoss
from .dense_pairs import DenseMaps, pair_dense_maps


def standardise_channels(feature: torch.Tensor) -> torch.Tensor:
    """Each channel minus its mean over batch and positions, divided by its std (unbiased) + 1e-6."""
    flat = feature.transpose(0, 1).reshape(feature.shape[1], -1)
    mean = flat.mean(dim=1).view(1, -1, 1, 1)
    std = flat.std(dim=1).view(1, -1, 1, 1)
    return (feature - mean) / (std + 1e-6)


@MODELS.register_module()
class PKDLoss(BaseDistillLoss):
    """``loss_weight · Σ_levels ½ · mean (z(S) − z(T))²`` with ``z`` :func:`standardise_channels`.

    Standardising each channel over the batch makes the MSE ``1 − r`` (r the Pearson correlation of
    the two maps), so student and teacher magnitudes need not agree. One map or a tuple of FPN
    levels; a map of another size is resized bilinearly (the student's to the teacher's, or the
    teacher's to the student's with ``resize_stu=False``). The standardisation uses the whole
    batch, so the loss takes no per-sample ``weight``. Compared with
    :class:`~mmkd.models.losses.FeatureImitationLoss`: the same MSE on standardised maps, halved.
    The teacher is detached (MMRazor does not; teacher records carry no gradient anyway).

    Args:
        loss_weight: multiplier of the loss.
        resize_stu: resize the student's maps to the teacher's size (else the reverse).

    Example:
        >>> import torch
        >>> x = torch.randn(2, 4, 8, 8)
        >>> PKDLoss()(x, 10 * x + 3).item() < 1e-6  # affine per channel: same correlation
        True
    """

    paired_inputs = (('preds_S', 'preds_T'), )
    reductions = ('mean', )

    def __init__(self, loss_weight: float = 1.0, resize_stu: bool = True):
        super().__init__(loss_weight)
        self.resize_stu = resize_stu

    def forward(self, preds_S: DenseMaps, preds_T: DenseMaps) -> torch.Tensor:
        """
        Args:
            preds_S: student map(s) [N, C, H, W] (one or a tuple of levels).
            preds_T: teacher map(s), same channels and levels.
        """
        pairs = pair_dense_maps(preds_S, preds_T, self.name, resize_student=self.resize_stu)
        loss = sum(F.mse_loss(standardise_channels(s), standardise_channels(t)) / 2
                   for s, t in pairs)
        return self.loss_weight * loss
