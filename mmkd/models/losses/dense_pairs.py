"""Pair student and teacher dense maps (one map or a tuple of FPN levels) for a distill loss."""
from typing import List, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

DenseMaps = Union[torch.Tensor, Sequence[torch.Tensor]]


def pair_dense_maps(preds_S: DenseMaps, preds_T: DenseMaps, loss_name: str,
                    resize_student: bool = True) -> List[Tuple[torch.Tensor, torch.Tensor]]:
    """``[(student, teacher), ...]`` per level, the student resized to the teacher's ``H×W``.

    Both sides are ``[N, C, H, W]`` maps or equally long tuples/lists of them (FPN levels, the
    per-level outputs of a dense head). A student map of another spatial size is resized
    bilinearly to the teacher's (``resize_student=False``: the teacher's to the student's); the
    teacher is detached. Batch or channel mismatches raise a ``ValueError`` that says what to
    change.

    Example:
        >>> import torch
        >>> pairs = pair_dense_maps(torch.zeros(2, 4, 8, 8), torch.ones(2, 4, 16, 16), 'demo')
        >>> pairs[0][0].shape
        torch.Size([2, 4, 16, 16])
    """
    student = [preds_S] if isinstance(preds_S, torch.Tensor) else list(preds_S)
    teacher = [preds_T] if isinstance(preds_T, torch.Tensor) else list(preds_T)
    if len(student) != len(teacher):
        raise ValueError(f'{loss_name}: the student gives {len(student)} maps (levels) and the '
                         f'teacher {len(teacher)}; record the same levels on both sides')
    pairs = []
    for level, (s, t) in enumerate(zip(student, teacher)):
        where = f'{loss_name} (level {level})' if len(student) > 1 else loss_name
        if s.dim() != 4 or t.dim() != 4:
            raise ValueError(f'{where}: expects [N, C, H, W] maps; got student '
                             f'{tuple(s.shape)} and teacher {tuple(t.shape)}')
        if s.shape[0] != t.shape[0]:
            raise ValueError(f'{where}: batch sizes differ: student {s.shape[0]}, teacher '
                             f'{t.shape[0]}')
        if s.shape[1] != t.shape[1]:
            raise ValueError(f'{where}: the student has {s.shape[1]} channels and the teacher '
                             f'{t.shape[1]}; add a connector (e.g. ConvConnector with '
                             f'in_channels={s.shape[1]}, out_channels={t.shape[1]}) and feed the '
                             'loss from it')
        if s.shape[2:] != t.shape[2:] and resize_student:
            s = F.interpolate(s, size=t.shape[2:], mode='bilinear', align_corners=False)
        elif s.shape[2:] != t.shape[2:]:
            t = F.interpolate(t, size=s.shape[2:], mode='bilinear', align_corners=False)
        pairs.append((s, t.detach()))
    return pairs
