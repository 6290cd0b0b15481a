"""Read a list file — one id or path a line — refusing what would silently change the sample set."""
from typing import Dict, List


def read_list_file(path: str, what: str = 'list file') -> List[str]:
    """The entries of ``path``, one a line; blank lines at the very end are allowed.

    A blank line, leading or trailing whitespace, a second column or an entry listed twice would
    drop, rename or duplicate a sample without any error: each is refused with ``path:line``.
    Windows line ends (``\\r\\n``) are accepted.

    Example:
        >>> import tempfile, os.path as osp
        >>> path = osp.join(tempfile.mkdtemp(), 'trainval.txt')
        >>> _ = open(path, 'w').write('000005\\n000007 1\\n')
        >>> read_list_file(path, 'VOC image list')
        Traceback (most recent call last):
        ...
        ValueError: ...trainval.txt:2: VOC image list entry '000007 1' has 2 columns; ...
    """
    with open(path, encoding='utf-8', newline='') as f:
        lines = f.read().split('\n')
    lines = [line[:-1] if line.endswith('\r') else line for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    seen: Dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            problem = 'has a blank line (every line must name one sample)'
        elif line != line.strip():
            problem = f'entry {line!r} has leading or trailing whitespace'
        elif len(line.split()) > 1:
            problem = (f'entry {line!r} has {len(line.split())} columns; one id or path a line '
                       'is expected')
        elif line in seen:
            problem = f'entry {line!r} repeats line {seen[line]}: it would be a duplicate sample'
        else:
            seen[line] = number
            continue
        raise ValueError(f'{path}:{number}: {what} {problem}')
    return lines
