"""Check, before any training step, that the tensors a distill loss compares have matching shape."""
from typing import List, Mapping, Optional, Tuple

from torch import nn

#: A per-sample shape (no batch dim); a tuple of them for multi-level records; ``None``: unknown.
Shape = Optional[tuple]


def find_num_classes(model: nn.Module) -> Optional[int]:
    """The first integer ``num_classes`` found in ``model``'s modules (heads, decode heads), if any.

    Example:
        >>> from torch import nn
        >>> head = nn.Linear(4, 3)
        >>> head.num_classes = 3
        >>> find_num_classes(nn.Sequential(nn.ReLU(), head))
        3
    """
    for module in model.modules():
        count = getattr(module, 'num_classes', None)
        if isinstance(count, int) and not isinstance(count, bool):
            return count
    return None


def _levels(shape: tuple) -> List[tuple]:
    if shape and all(isinstance(s, tuple) for s in shape):
        return list(shape)
    return [shape]


def _mismatch(shape_s: Shape, shape_t: Shape) -> Optional[Tuple[str, object, object]]:
    """``(kind, student part, teacher part)`` of the first incompatibility, or ``None``.

    Paired tensors must have the same number of levels, the same number of dims and the same
    leading (class / channel) size; trailing (spatial) sizes may differ — dense losses resize.
    """
    if shape_s is None or shape_t is None:
        return None
    levels_s, levels_t = _levels(shape_s), _levels(shape_t)
    if len(levels_s) != len(levels_t):
        return 'levels', len(levels_s), len(levels_t)
    for level_s, level_t in zip(levels_s, levels_t):
        if len(level_s) != len(level_t):
            return 'dims', level_s, level_t
        if level_s[:1] != level_t[:1]:
            return 'channels', level_s[0], level_t[0]
    return None


def check_paired_shapes(loss_name: str, loss: nn.Module, inputs: Mapping[str, str],
                        shapes: Mapping[str, Shape], num_classes: Mapping[str, Optional[int]],
                        connector_sources: Mapping[str, str]) -> None:
    """Raise ``ValueError`` when two inputs the loss compares cannot match.

    A loss lists the argument pairs it compares in a class attribute, e.g.
    ``paired_inputs = (('preds_S', 'preds_T'), )``; losses without it are not checked.

    Args:
        loss_name: the loss's key in ``distill_losses``.
        loss: the built loss.
        inputs: its ``inputs`` (argument -> source).
        shapes: source -> per-sample shape.
        num_classes: ``'student'`` and every teacher name -> its class count (or ``None``).
        connector_sources: connector name -> the student record it maps.

    Example:
        >>> from torch import nn
        >>> class Pair(nn.Module):
        ...     paired_inputs = (('preds_S', 'preds_T'), )
        >>> check_paired_shapes('loss_kd', Pair(), dict(preds_S='student.logits',
        ...                     preds_T='big.outputs'), {'student.logits': (10, ),
        ...                     'big.outputs': (100, )}, dict(student=10, big=100), {})
        Traceback (most recent call last):
        ...
        ValueError: distill loss 'loss_kd' (Pair): preds_S=student.logits is (10,) per sample but preds_T=big.outputs is (100,). The student predicts 10 classes and teacher 'big' 100: ...
    """  # noqa: E501
    for arg_s, arg_t in getattr(loss, 'paired_inputs', ()):
        if arg_s not in inputs or arg_t not in inputs:
            continue
        source_s, source_t = inputs[arg_s], inputs[arg_t]
        found = _mismatch(shapes.get(source_s), shapes.get(source_t))
        if found is None:
            continue
        advice = _advice(*found, source_s, source_t, num_classes, connector_sources)
        raise ValueError(f'distill loss {loss_name!r} ({type(loss).__name__}): {arg_s}={source_s} '
                         f'is {shapes[source_s]} per sample but {arg_t}={source_t} is '
                         f'{shapes[source_t]}. {advice}')


def _advice(kind: str, part_s, part_t, source_s: str, source_t: str,
            num_classes: Mapping[str, Optional[int]], connector_sources: Mapping[str, str]) -> str:
    if kind == 'levels':
        return (f'They have {part_s} and {part_t} levels: record the same levels on both sides '
                "(e.g. dict(module=..., index=-1) for one stage).")
    if kind == 'dims':
        return (f'One is {part_s} and the other {part_t}: they are not the same kind of tensor '
                '(a vector vs a map); record matching modules.')
    owner_t = source_t.partition('.')[0]
    teacher = f"teacher '{owner_t}'" if owner_t in num_classes else owner_t
    student_classes, teacher_classes = num_classes.get('student'), num_classes.get(owner_t)
    if part_s == student_classes and part_t == teacher_classes:
        return (f'The student predicts {student_classes} classes and {teacher} {teacher_classes}: '
                "the teacher must be trained on the student's classes (the same label set, in "
                'the same order). No connector turns one label set into another; retrain or '
                'fine-tune the teacher on those classes.')
    owner_s, _, name_s = source_s.partition('.')
    if owner_s == 'connectors':
        return (f'Connector {name_s!r} (from {connector_sources.get(name_s)}) outputs {part_s} '
                f'channels: set its out_channels to {part_t}.')
    return (f'Their channels differ ({part_s} vs {part_t}): map {source_s} to {part_t} channels '
            "with a connector (e.g. connectors=dict(to_teacher=dict(type='ConvConnector', "
            f"source='{source_s}', in_channels={part_s}, out_channels={part_t}))) and give the "
            "loss 'connectors.to_teacher'.")
