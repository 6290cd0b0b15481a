"""Label sets: the classes a text bank embeds, their natural names, descriptions and prompts.

Class names come from a list, a class-per-folder directory, a names file, a dataset class's
``METAINFO['classes']`` or ``'imagenet'``. Natural names and descriptions can come from Li et al.'s
files: ``label2text.txt`` has one line per class of the *whole* dataset (ID and OOD classes),
``<folder name> <1-based id> <Natural_Name>`` (``_`` for spaces); ``chatgpt.txt`` has one
description sentence per class, in the same line order. The original aligns the two by line order
and crashes on blank lines (spec pitfall 13); here blank lines are skipped in both files and the
descriptions are keyed by folder name, so a missing or extra line is an error naming the file.

Prompts are templates with ``{name}`` (and ``{description}``); a class's embedding is the mean of
its prompts' (see :mod:`~mmkd.models.text.text_bank`).
"""
import importlib
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Union

#: The original VLM-OOD prompt: no article, ``"a photo of " + name`` (+ ``" . " + description``).
DEFAULT_TEMPLATE = 'a photo of {name}'
DESCRIPTION_TEMPLATE = 'a photo of {name} . {description}'
SIMPLE_TEMPLATE = 'a photo of a {name}.'

ClassSource = Union[str, Sequence[str], dict]


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


def resolve_classes(source: ClassSource) -> List[str]:
    """The class identifiers of a label set, in label order.

    ``source`` is a list of names; a class-per-folder directory (its sorted subfolders, the order of
    mmpretrain's ``CustomDataset``); ``dict(dirs=[dir, ...])``, the classes of several directories
    one after the other (ID then OOD classes for few-shot finetuning); a text file with one name a
    line; ``'imagenet'`` (CLIP's cleaned ImageNet-1k names); or a dataset class path whose
    ``METAINFO['classes']`` lists them (``'mmdet.datasets.CocoDataset'``,
    ``'mmseg.datasets.CityscapesDataset'``, ``'mmpretrain.datasets.FashionMNIST'`` …).

    Example:
        >>> resolve_classes('mmpretrain.datasets.FashionMNIST')[:2]
        ['T-shirt/top', 'Trouser']
    """
    if isinstance(source, dict):
        if set(source) != {'dirs'}:
            raise KeyError(f'classes as a dict takes only `dirs`; got {sorted(source)}')
        return [name for directory in source['dirs'] for name in resolve_classes(directory)]
    if not isinstance(source, str):
        return list(source)
    if source == 'imagenet':
        from open_clip.zero_shot_metadata import IMAGENET_CLASSNAMES
        return list(IMAGENET_CLASSNAMES)
    if osp.isdir(source):
        found = sorted(d for d in os.listdir(source) if osp.isdir(osp.join(source, d)))
        if not found:
            raise ValueError(f'{source!r} has no class subfolders')
        return found
    if osp.isfile(source):
        return _lines(source, 'class names file')
    module_name, _, class_name = source.rpartition('.')
    if osp.sep in source or not module_name:
        raise FileNotFoundError(f'class folder directory or names file not found: {source!r}')
    try:
        return list(getattr(importlib.import_module(module_name), class_name).METAINFO['classes'])
    except (ImportError, AttributeError, KeyError, ValueError) as error:
        raise ValueError(f'classes: {source!r} is no directory, file, "imagenet" or dataset class '
                         f'with METAINFO["classes"] ({error})') from error


def prompt_templates(templates: Union[None, str, Sequence[str]] = None,
                     with_descriptions: bool = False) -> List[str]:
    """Prompt templates: a list, one template with ``{name}``, ``'openai'`` (CLIP's 80 ImageNet
    prompts, which LGD uses for every task) or ``'simple'`` (``'a photo of a {name}.'``).
    ``None`` is the original VLM-OOD prompt (with ``{description}`` when there are descriptions).

    Example:
        >>> len(prompt_templates('openai')), prompt_templates('openai')[0]
        (80, 'a bad photo of a {name}.')
    """
    if templates is None:
        return [DESCRIPTION_TEMPLATE if with_descriptions else DEFAULT_TEMPLATE]
    if templates == 'openai':
        from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES
        return [template('{name}') for template in OPENAI_IMAGENET_TEMPLATES]
    if templates == 'simple':
        return [SIMPLE_TEMPLATE]
    templates = [templates] if isinstance(templates, str) else list(templates)
    wrong = [t for t in templates if '{name}' not in t]
    if wrong or not templates:
        raise ValueError(f"prompt templates {wrong or templates} lack '{{name}}'; give templates "
                         "with '{name}' (and '{description}'), 'openai' or 'simple'")
    return templates


@dataclass
class LabelSet:
    """The classes of a label set and their prompts: ``prompts[c]`` are class ``c``'s texts, one
    per template.

    Example:
        >>> label_set = LabelSet.from_config(['sea_bass', 'tench'])
        >>> label_set.class_names, label_set.prompts
        (['sea bass', 'tench'], [['a photo of sea bass'], ['a photo of tench']])
    """

    class_names: List[str]
    prompts: List[List[str]]

    @classmethod
    def from_config(cls, classes: ClassSource, label_file: Optional[str] = None,
                    descriptions_file: Optional[str] = None,
                    templates: Union[None, str, Sequence[str]] = None) -> 'LabelSet':
        """Args:
            classes: see :func:`resolve_classes`.
            label_file: a ``label2text.txt``; without it a class's name is its identifier with
                ``_`` read as a space.
            descriptions_file: a ``chatgpt.txt`` aligned with ``label_file``; fills
                ``{description}``.
            templates: see :func:`prompt_templates`.
        """
        if descriptions_file and not label_file:
            raise ValueError('descriptions_file needs the label_file it is aligned with')
        classes = resolve_classes(classes)
        names = read_label2text(label_file) if label_file else {}
        descriptions = read_descriptions(descriptions_file, label_file) if descriptions_file else {}
        missing = [c for c in classes if label_file and c not in names]
        if missing:
            raise KeyError(f'classes {missing[:5]} are not in {label_file}')
        templates = prompt_templates(templates, with_descriptions=bool(descriptions))
        class_names = [names.get(c, c.replace('_', ' ').strip()) for c in classes]
        prompts = [[t.format(name=name, description=descriptions.get(c, '')) for t in templates]
                   for c, name in zip(classes, class_names)]
        return cls(class_names, prompts)


def build_label_sets(label_sets: Dict[str, dict]) -> Dict[str, LabelSet]:
    """``name -> LabelSet`` for configs ``dict(classes, label_file=None, descriptions_file=None,
    templates=None)`` (see :meth:`LabelSet.from_config`).

    Example:
        >>> sets = build_label_sets(dict(id=dict(classes=['cat']), ood=dict(classes=['dog'])))
        >>> sets['ood'].prompts
        [['a photo of dog']]
    """
    built = {}
    for name, cfg in label_sets.items():
        cfg = dict(cfg)
        if 'classes' not in cfg:
            raise KeyError(f'label set {name!r} needs `classes` (a list, a class-folder dir …)')
        unknown = set(cfg) - {'classes', 'label_file', 'descriptions_file', 'templates'}
        if unknown:
            raise KeyError(f'label set {name!r}: unknown keys {sorted(unknown)}; it takes classes, '
                           'label_file, descriptions_file, templates')
        built[name] = LabelSet.from_config(**cfg)
    return built
