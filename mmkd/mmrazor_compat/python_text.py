"""Write config values as OpenMMLab-style Python (``dict(key=value)``), one key a line when long."""
import keyword
from typing import Any

WIDTH = 100


class Raw(str):
    """Text written as it is (a variable name such as ``teacher_ckpt``), not as a string literal."""


def _is_name(key: Any) -> bool:
    return isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)


def to_python(value: Any, indent: int = 0) -> str:
    """``value`` as Python source: dicts as ``dict(...)`` (``{...}`` if a key is no identifier),
    lists and tuples as literals, split over lines when they do not fit in 100 columns.

    Example:
        >>> print(to_python(dict(type='KDLoss', tau=4.0, inputs=dict(preds_S='student.fc'))))
        dict(type='KDLoss', tau=4.0, inputs=dict(preds_S='student.fc'))
        >>> to_python(dict(checkpoint=Raw('teacher_ckpt'), size=(1, 2)))
        'dict(checkpoint=teacher_ckpt, size=(1, 2))'
    """
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        if all(_is_name(k) for k in value):
            items = [f'{k}={to_python(v, indent + 4)}' for k, v in value.items()]
            opening, closing = 'dict(', ')'
        else:
            items = [f'{k!r}: {to_python(v, indent + 4)}' for k, v in value.items()]
            opening, closing = '{', '}'
    elif isinstance(value, (list, tuple)):
        items = [to_python(v, indent + 4) for v in value]
        opening, closing = ('[', ']') if isinstance(value, list) else ('(', ')')
        if isinstance(value, tuple) and len(value) == 1:
            items[0] += ','
    else:
        return repr(value)
    one_line = opening + ', '.join(items) + closing
    if '\n' not in one_line and indent + len(one_line) <= WIDTH:
        return one_line
    pad = ' ' * (indent + 4)
    return opening + '\n' + ',\n'.join(pad + item for item in items) + closing
