"""The input convention of a model, and the conversion of a student's batch into a teacher's."""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

CHANNEL_ORDERS = ('bgr', 'rgb')
RESIZE_MODES = ('bilinear', 'bicubic')


@dataclass(frozen=True)
class InputConvention:
    """What a model's input tensor ``[B, C, H, W]`` holds: the one description of a teacher's (or a
    student's) preprocessing.

    Args:
        channels: the order of a 3-channel tensor, ``'bgr'`` (how OpenMMLab's
            ``LoadImageFromFile`` loads images) or ``'rgb'``. One-channel batches have no order.
        mean: per-channel mean subtracted, in [0, 255] pixel units and in ``channels`` order;
            ``None`` when the tensor holds raw pixels.
        std: per-channel divisor, like ``mean``.
        size: ``(h, w)`` the model takes, or ``None`` for whatever size it gets.
        resize: how a batch of another size is resized, ``'bilinear'`` or ``'bicubic'``.
        antialias: low-pass filter when downsizing (as PIL's resize does).

    Example:
        >>> clip = InputConvention('rgb', mean=(122.8, 116.7, 104.1), std=(68.5, 66.6, 70.3),
        ...                        size=(224, 224), resize='bicubic', antialias=True)
        >>> clip.size
        (224, 224)
    """

    channels: str = 'bgr'
    mean: Optional[Tuple[float, ...]] = None
    std: Optional[Tuple[float, ...]] = None
    size: Optional[Tuple[int, int]] = None
    resize: str = 'bilinear'
    antialias: bool = False

    def __post_init__(self):
        if self.channels not in CHANNEL_ORDERS:
            raise ValueError(f'InputConvention: channels must be one of {CHANNEL_ORDERS}, got '
                             f'{self.channels!r}')
        if self.resize not in RESIZE_MODES:
            raise ValueError(f'InputConvention: resize must be one of {RESIZE_MODES}, got '
                             f'{self.resize!r}')
        if (self.mean is None) != (self.std is None):
            raise ValueError('InputConvention: give both mean and std, or neither')
        for name in ('mean', 'std'):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(float(v) for v in value))
        if self.mean is not None and len(self.mean) != len(self.std):
            raise ValueError(f'InputConvention: mean {self.mean} and std {self.std} differ in length')
        if self.size is not None:
            object.__setattr__(self, 'size', tuple(int(s) for s in self.size))

    def describe(self) -> str:
        """One line for the teacher report."""
        norm = 'raw pixels' if self.mean is None else (
            f'mean {_short(self.mean)} std {_short(self.std)}')
        size = 'any size' if self.size is None else (
            f'{self.size[0]}x{self.size[1]} ({self.resize}{", antialias" if self.antialias else ""})')
        return f'{self.channels.upper()}, {norm}, {size}'


def _short(values: Sequence[float]) -> str:
    return '(' + ', '.join(f'{v:.4g}' for v in values) + ')'


def read_normalization(preprocessor: Optional[nn.Module]) -> InputConvention:
    """The :class:`InputConvention` of the batch an OpenMMLab data preprocessor makes.

    Works for mmpretrain's ``ClsDataPreprocessor`` (``to_rgb``), MMEngine's ``ImgDataPreprocessor``
    and everything built on it (mmdet: ``_channel_conversion``) and mmseg's ``SegDataPreProcessor``
    (``channel_conversion``). Images are taken to be loaded as BGR (``LoadImageFromFile``), so a
    preprocessor that converts channels makes RGB and one that does not keeps BGR; its ``mean`` and
    ``std`` apply after the conversion. ``mean``/``std`` are ``None`` when it does not normalise.

    Example:
        >>> from mmpretrain.models import ClsDataPreprocessor
        >>> read_normalization(ClsDataPreprocessor(mean=[1, 2, 3], std=[4, 5, 6], to_rgb=True))
        InputConvention(channels='rgb', mean=(1.0, 2.0, 3.0), std=(4.0, 5.0, 6.0), size=None, resize='bilinear', antialias=False)
    """
    if preprocessor is None or not getattr(preprocessor, '_enable_normalize', False):
        mean = std = None
    else:
        mean = preprocessor.mean.flatten().tolist()
        std = preprocessor.std.flatten().tolist()
    converts = any(getattr(preprocessor, flag, False)
                   for flag in ('to_rgb', '_channel_conversion', 'channel_conversion'))
    return InputConvention('rgb' if converts else 'bgr', mean, std)


class TeacherInputAdapter(nn.Module):
    """Turn a batch in the student's :class:`InputConvention` into the teacher's.

    One per-channel affine map (``x * scale + shift``: undo the student's mean/std, apply the
    teacher's), preceded by a channel flip when the two channel orders differ, followed by a resize
    to the teacher's size in its resize mode. The teacher thus sees exactly the student's augmented
    view — mixup and crops included — in its own preprocessing. A one-channel (grayscale) batch is
    never flipped and becomes three equal channels when the teacher normalises three.

    Args:
        student: the convention of the student's preprocessed batch (:func:`read_normalization`).
        teacher: the teacher's convention.

    Example:
        >>> import torch
        >>> adapter = TeacherInputAdapter(InputConvention(mean=[0.], std=[1.]),
        ...                               InputConvention(mean=[0.5], std=[2.], size=(4, 4)))
        >>> adapter(torch.ones(1, 1, 2, 2))[0, 0, 0, 0].item()
        0.25
    """

    def __init__(self, student: InputConvention, teacher: InputConvention):
        super().__init__()
        self.student, self.teacher = student, teacher
        self.flip_channels = student.channels != teacher.channels
        s_mean, s_std = _as_tensors(student.mean, student.std)
        t_mean, t_std = _as_tensors(teacher.mean, teacher.std)
        if s_mean is None and t_mean is not None:
            s_mean, s_std = torch.zeros(1), torch.ones(1)
        if t_mean is None and s_mean is not None:
            t_mean, t_std = torch.zeros(1), torch.ones(1)
        scale = shift = None
        if s_mean is not None:
            if self.flip_channels:
                s_mean, s_std = s_mean.flip(0), s_std.flip(0)
            scale, shift = s_std / t_std, (s_mean - t_mean) / t_std
            if torch.allclose(scale, torch.ones_like(scale)) and not shift.any():
                scale = shift = None
        self.register_buffer('scale', None if scale is None else scale.view(1, -1, 1, 1), False)
        self.register_buffer('shift', None if shift is None else shift.view(1, -1, 1, 1), False)

    @property
    def is_identity(self) -> bool:
        return self.scale is None and not self.flip_channels and self.teacher.size is None

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.flip_channels and inputs.shape[1] == 3:
            inputs = inputs.flip(1)
        if self.scale is not None:
            inputs = inputs * self.scale + self.shift
        size = self.teacher.size
        if size is not None and tuple(inputs.shape[-2:]) != size:
            inputs = F.interpolate(inputs, size=size, mode=self.teacher.resize,
                                   align_corners=False, antialias=self.teacher.antialias)
        return inputs


def _as_tensors(mean, std):
    if mean is None:
        return None, None
    return torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32)
