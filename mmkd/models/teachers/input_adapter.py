"""Convert a batch normalised for the student into the teacher's normalisation and resolution."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

Normalization = Tuple[Optional[torch.Tensor], Optional[torch.Tensor], bool]


def read_normalization(preprocessor: Optional[nn.Module]) -> Normalization:
    """``(mean, std, swaps_channels)`` of an OpenMMLab data preprocessor.

    Works for mmpretrain's ``ClsDataPreprocessor`` (``to_rgb``), MMEngine's ``ImgDataPreprocessor``
    and everything built on it (mmdet: ``_channel_conversion``) and mmseg's ``SegDataPreProcessor``
    (``channel_conversion``, not an ``ImgDataPreprocessor``). ``mean``/``std`` are ``None`` when the
    preprocessor does not normalise.
    """
    if preprocessor is None or not getattr(preprocessor, '_enable_normalize', False):
        mean = std = None
    else:
        mean, std = preprocessor.mean.flatten().float(), preprocessor.std.flatten().float()
    swaps = any(getattr(preprocessor, flag, False)
                for flag in ('to_rgb', '_channel_conversion', 'channel_conversion'))
    return mean, std, swaps


class TeacherInputAdapter(nn.Module):
    """Undo the student's normalisation, apply the teacher's, resize to the teacher's input size.

    It is one per-channel affine map (``x * scale + shift``, with a channel flip when only one side
    converts BGR→RGB) followed by an optional bilinear resize, so the teacher sees exactly the
    student's augmented view — mixup and crops included — in its own preprocessing.

    Args:
        student: ``(mean, std, swaps_channels)`` of the student's preprocessor.
        teacher: the same for the teacher.
        input_size: ``(h, w)`` the teacher expects, or ``None`` to keep the student's size.

    Example:
        >>> import torch
        >>> adapter = TeacherInputAdapter(
        ...     (torch.tensor([0.]), torch.tensor([1.]), False),
        ...     (torch.tensor([0.5]), torch.tensor([2.]), False), input_size=(4, 4))
        >>> adapter(torch.ones(1, 1, 2, 2))[0, 0, 0, 0].item()
        0.25
    """

    def __init__(self, student: Normalization, teacher: Normalization,
                 input_size: Optional[Sequence[int]] = None):
        super().__init__()
        s_mean, s_std, s_swaps = student
        t_mean, t_std, t_swaps = teacher
        if s_mean is None and t_mean is not None:
            s_mean, s_std = torch.zeros_like(t_mean), torch.ones_like(t_std)
        if t_mean is None and s_mean is not None:
            t_mean, t_std = torch.zeros_like(s_mean), torch.ones_like(s_std)
        self.flip_channels = s_swaps != t_swaps
        self.input_size = tuple(input_size) if input_size is not None else None
        if s_mean is None:
            scale = shift = None
        else:
            if self.flip_channels:
                s_mean, s_std = s_mean.flip(0), s_std.flip(0)
            scale, shift = s_std / t_std, (s_mean - t_mean) / t_std
            if torch.allclose(scale, torch.ones_like(scale)) and not shift.any():
                scale = shift = None
        self.register_buffer('scale', None if scale is None else scale.view(1, -1, 1, 1), False)
        self.register_buffer('shift', None if shift is None else shift.view(1, -1, 1, 1), False)

    @property
    def is_identity(self) -> bool:
        return self.scale is None and not self.flip_channels and self.input_size is None

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.flip_channels:
            inputs = inputs.flip(1)
        if self.scale is not None:
            inputs = inputs * self.scale + self.shift
        if self.input_size is not None and tuple(inputs.shape[-2:]) != self.input_size:
            inputs = F.interpolate(inputs, size=self.input_size, mode='bilinear',
                                   align_corners=False)
        return inputs
