"""Split a class-per-folder dataset into ID training, ID validation and unseen-class (OOD)
validation sets, like Li et al.'s ``scripts/split_dataset.py``, deterministically by seed
(``tools/vlm_ood/split_dataset.py`` is the command line).

``OUT`` gets ``train/<class>/`` and ``val_on_train/<class>/`` (the ID classes: ``ceil(train_ratio *
n)`` images of each class for training, the rest for ID validation), ``val/<class>/`` (every image of
the OOD classes) and the lists ``{train,val_on_train,val}_data.txt`` (one ``<split>/<class>/<file>``
a line, the original's format). The original's released lists can be replayed instead
(:func:`read_split_lists`; a list's first path component is dropped:
``train/001.Black_footed_Albatross/x.jpg`` → ``SRC/001.Black_footed_Albatross/x.jpg``). Files are
hard-linked where possible, else copied; an existing split is completed, not duplicated, so a killed
run can be restarted.
"""
import math
import os
import os.path as osp
import random
import shutil
from typing import Dict, List

from tqdm import tqdm

from mmkd.utils.io import atomic_write, temporary_name

SPLITS = ('train', 'val_on_train', 'val')
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp')


def list_classes(src: str) -> Dict[str, List[str]]:
    """``class folder -> sorted image file names`` of SRC."""
    if not osp.isdir(src):
        raise FileNotFoundError(f'source dataset folder not found: {src!r}')
    classes = {}
    for name in sorted(os.listdir(src)):
        folder = osp.join(src, name)
        if osp.isdir(folder):
            classes[name] = sorted(f for f in os.listdir(folder)
                                   if f.lower().endswith(IMAGE_EXTENSIONS))
    if not classes:
        raise ValueError(f'{src!r} has no class folders')
    empty = [c for c, files in classes.items() if not files]
    if empty:
        raise ValueError(f'class folders without images in {src!r}: {empty[:5]}')
    return classes


def split_by_seed(classes: Dict[str, List[str]], id_ratio: float = 0.5, train_ratio: float = 0.7,
                  seed: int = 0) -> Dict[str, List[str]]:
    """``split -> ['<split>/<class>/<file>', ...]``: ``ceil(id_ratio * C)`` ID classes drawn at
    random (not alphabetically), ``ceil(train_ratio * n)`` training images per ID class.

    Example:
        >>> lists = split_by_seed({'a': ['1.png', '2.png'], 'b': ['3.png']}, seed=0)
        >>> sorted(len(v) for v in lists.values())
        [0, 1, 2]
    """
    if not 0 < id_ratio < 1 or not 0 < train_ratio <= 1:
        raise ValueError(f'need 0 < id_ratio < 1 and 0 < train_ratio <= 1, got {id_ratio}, '
                         f'{train_ratio}')
    rng = random.Random(seed)
    names = sorted(classes)
    id_classes = set(rng.sample(names, math.ceil(id_ratio * len(names))))
    lists = {split: [] for split in SPLITS}
    for name in names:
        files = list(classes[name])
        if name not in id_classes:
            lists['val'] += [f'val/{name}/{f}' for f in files]
            continue
        rng.shuffle(files)
        num_train = math.ceil(train_ratio * len(files))
        lists['train'] += [f'train/{name}/{f}' for f in sorted(files[:num_train])]
        lists['val_on_train'] += [f'val_on_train/{name}/{f}' for f in sorted(files[num_train:])]
    return lists


def read_split_lists(folder: str) -> Dict[str, List[str]]:
    """The original's ``{train,val_on_train,val}_data.txt`` of one dataset."""
    lists = {}
    for split in SPLITS:
        path = osp.join(folder, f'{split}_data.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'split list not found: {path}')
        with open(path) as f:
            lists[split] = [line.strip() for line in f if line.strip()]
    return lists


def materialise(src: str, out: str, lists: Dict[str, List[str]]) -> None:
    """Link (or copy) every listed file from ``SRC/<class>/<file>`` to ``OUT/<split>/<class>/``
    and write the lists."""
    os.makedirs(out, exist_ok=True)
    for split, entries in lists.items():
        for entry in tqdm(entries, desc=split, leave=False):
            _, class_name, file_name = entry.split('/', 2)
            source = osp.join(src, class_name, file_name)
            target = osp.join(out, entry)
            if osp.exists(target):
                continue
            if not osp.isfile(source):
                raise FileNotFoundError(f'{entry} of the split lists: {source} does not exist')
            os.makedirs(osp.dirname(target), exist_ok=True)
            partial = temporary_name(target)
            try:
                os.link(source, partial)
            except OSError:
                shutil.copyfile(source, partial)
            os.replace(partial, target)
        with atomic_write(osp.join(out, f'{split}_data.txt')) as f:
            f.write(''.join(entry + '\n' for entry in entries))
