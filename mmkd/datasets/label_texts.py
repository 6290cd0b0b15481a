"""Class names and descriptions in the formats of Li et al.'s ``label2text.txt`` / ``chatgpt.txt``,
and the prompt built from them.

``label2text.txt`` has one line per class of the *whole* dataset (ID and OOD classes):
``<folder name> <1-based id> <Natural_Name>``; the natural name has ``_`` for spaces.
``chatgpt.txt`` has one description sentence per class, in the same line order. The original aligns the two by line
order and crashes on blank lines (spec pitfall 13); here blank lines are skipped in both files and
the descriptions are keyed by folder name, so a missing or extra line is an error naming the file.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

#: The original's prompt: no article, ``"a photo of " + name`` (+ ``" . " + description``).
DEFAULT_TEMPLATE = 'a photo of {name}'
DESCRIPTION_TEMPLATE = 'a photo of {name} . {description}'


def _lines(path: str, what: str) -> List[str]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path!r}. Copy it to the dataset root (see '
                                'projects/vlm_ood/README.md) or fix the path in your config.')
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def read_label2text(path: str) -> Dict[str, str]:
    """``folder name -> natural name`` from a ``label2text.txt``, in file order.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), 'label2text.txt')
        >>> _ = open(path, 'w').write('001.Black_footed_Albatross 1 Black_footed_Albatross\\n')
        >>> read_label2text(path)
        {'001.Black_footed_Albatross': 'Black footed Albatross'}
    """
    names = {}
    for number, line in enumerate(_lines(path, 'label2text file'), 1):
        fields = line.split()
        if len(fields) < 3:
            raise ValueError(f'{path}, entry {number}: expected "<folder> <id> <Natural_Name>", '
                             f'got {line!r}')
        names[fields[0]] = ' '.join(fields[2:]).replace('_', ' ')
    return names


def read_descriptions(path: str, label_file: str) -> Dict[str, str]:
    """``folder name -> description`` from a ``chatgpt.txt`` aligned line by line with
    ``label_file`` (the original's format)."""
    folders = list(read_label2text(label_file))
    sentences = _lines(path, 'descriptions file')
    if len(sentences) != len(folders):
        raise ValueError(f'{path} has {len(sentences)} descriptions but {label_file} has '
                         f'{len(folders)} classes; they must be aligned line by line')
    return dict(zip(folders, sentences))


def class_texts(classes: Sequence[str],
                label_file: Optional[str] = None,
                descriptions_file: Optional[str] = None,
                template: Optional[str] = None) -> List[str]:
    """One prompt per class: ``template.format(name=..., description=...)``.

    Args:
        classes: the class folder names, in label order.
        label_file: a ``label2text.txt``; without it the folder name (``_`` → space) is the name.
        descriptions_file: a ``chatgpt.txt`` aligned with ``label_file``; adds ``{description}``.
        template: defaults to ``'a photo of {name}'``, or ``'a photo of {name} . {description}'``
            with descriptions, as in the original.

    Example:
        >>> class_texts(['sea_bass', 'tench'])
        ['a photo of sea bass', 'a photo of tench']
    """
    names = read_label2text(label_file) if label_file else {}
    descriptions = read_descriptions(descriptions_file, label_file) if descriptions_file else {}
    if descriptions_file and not label_file:
        raise ValueError('descriptions_file needs the label_file it is aligned with')
    template = template or (DESCRIPTION_TEMPLATE if descriptions else DEFAULT_TEMPLATE)
    missing = [c for c in classes if label_file and c not in names]
    if missing:
        raise KeyError(f'classes {missing[:5]} are not in {label_file}')
    return [template.format(name=names.get(c, c.replace('_', ' ')),
                            description=descriptions.get(c, '')) for c in classes]


def resolve_classes(classes: Union[str, Sequence[str], dict]) -> List[str]:
    """A list of class names; a class-per-folder directory (its sorted subfolders, the order of
    mmpretrain's ``CustomDataset``); or ``dict(dirs=[dir, ...])``, the classes of several
    directories one after the other (ID then OOD classes for few-shot finetuning)."""
    if isinstance(classes, dict):
        if set(classes) != {'dirs'}:
            raise KeyError(f'classes as a dict takes only `dirs`; got {sorted(classes)}')
        return [name for directory in classes['dirs'] for name in resolve_classes(directory)]
    if not isinstance(classes, str):
        return list(classes)
    if not osp.isdir(classes):
        raise FileNotFoundError(f'class folder directory not found: {classes!r}')
    found = sorted(d for d in os.listdir(classes) if osp.isdir(osp.join(classes, d)))
    if not found:
        raise ValueError(f'{classes!r} has no class subfolders')
    return found


def label_set_texts(label_sets: Dict[str, dict]) -> Dict[str, List[str]]:
    """``name -> class prompts`` for label-set configs ``dict(classes, label_file=None,
    descriptions_file=None, template=None)`` (see :func:`class_texts`, :func:`resolve_classes`).

    Example:
        >>> label_set_texts(dict(id=dict(classes=['cat']), ood=dict(classes=['dog'])))
        {'id': ['a photo of cat'], 'ood': ['a photo of dog']}
    """
    texts = {}
    for name, cfg in label_sets.items():
        cfg = dict(cfg)
        if 'classes' not in cfg:
            raise KeyError(f'label set {name!r} needs `classes` (a list or a class-folder dir)')
        texts[name] = class_texts(resolve_classes(cfg.pop('classes')), **cfg)
    return texts
