"""NUS-WIDE (81 concepts) as a multi-label set, read from its official list and label files."""
import os.path as osp
from typing import List

import numpy as np
from mmpretrain.datasets import MultiLabelDataset

from mmkd.registry import DATASETS
from .image_checks import check_images_exist
from .list_file import read_list_file


def _require(path: str) -> str:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: file not found (NUS-WIDE layout: see NUSWide)')
    return path


def read_labels(path: str) -> List[str]:
    """The stripped lines of a label file (one 0/1 a line), trailing blank lines dropped."""
    with open(_require(path), encoding='utf-8') as f:
        lines = [line.strip() for line in f.read().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@DATASETS.register_module()
class NUSWide(MultiLabelDataset):
    """NUS-WIDE in penghui-yang/L2D's layout (the official distribution's files)::

        data/nus_wide/Flickr/actor/0001_2124494179.jpg ...
        data/nus_wide/ImageList/{Train,Test}Imagelist.txt      image paths, ``actor\\0001_….jpg``
        data/nus_wide/TrainTestLabels/Labels_<concept>_{Train,Test}.txt   one 0/1 a line
        data/nus_wide/Concepts81.txt                            the class order, one a line

    Line ``k`` of every label file belongs to line ``k`` of the image list (backslashes in the
    list become ``/``). Images with no positive concept are kept, as in L2D; pass
    ``drop_unlabeled=True`` to drop them. As in L2D every listed image must exist (checked when
    the dataset is built, naming the missing ones; ``check_images=False`` skips the check).

    Errors: a line of the image list (or of ``Concepts81.txt``) that is blank, has surrounding
    whitespace or a second column, or repeats an entry fails with the file and line; a label line
    that is not 0 or 1 fails with its file and line number; a label file
    whose length differs from the image list's fails with both counts.

    Args:
        data_root: the NUS-WIDE folder.
        split: ``'train'`` or ``'test'``.
        drop_unlabeled: drop images without any positive concept.
        check_images: check at build time that every listed image exists.
        **kwargs: as :class:`~mmpretrain.datasets.MultiLabelDataset`.

    Example:
        >>> dataset = dict(type='mmkd.NUSWide', data_root='data/nus_wide', split='test')
    """

    def __init__(self, data_root: str, split: str = 'train', drop_unlabeled: bool = False,
                 check_images: bool = True, **kwargs):
        if split not in ('train', 'test'):
            raise ValueError(f"NUSWide: split must be 'train' or 'test', got {split!r}")
        self.split = split
        self.drop_unlabeled = drop_unlabeled
        self.check_images = check_images
        concepts = read_list_file(_require(osp.join(data_root, 'Concepts81.txt')),
                                  'NUS-WIDE concept list')
        kwargs.setdefault('metainfo', dict(classes=concepts))
        super().__init__(ann_file='', data_root=data_root, data_prefix='Flickr', **kwargs)

    def load_data_list(self) -> List[dict]:
        split = self.split.capitalize()
        list_file = osp.join(self.data_root, 'ImageList', f'{split}Imagelist.txt')
        image_names = [line.replace('\\', '/') for line in
                       read_list_file(_require(list_file), 'NUS-WIDE image list')]
        labels = np.zeros((len(image_names), len(self.CLASSES)), dtype=bool)
        for column, concept in enumerate(self.CLASSES):
            label_file = osp.join(self.data_root, 'TrainTestLabels',
                                  f'Labels_{concept}_{split}.txt')
            lines = read_labels(label_file)
            if len(lines) != len(image_names):
                raise ValueError(f'{label_file}: {len(lines)} labels for the {len(image_names)} '
                                 f'images of {list_file}')
            for line_number, line in enumerate(lines, start=1):
                if line not in ('0', '1'):
                    raise ValueError(f'{label_file}:{line_number}: expected 0 or 1, got {line!r}')
            labels[:, column] = np.array(lines) == '1'
        data_list = [dict(img_path=osp.join(self.img_prefix, name),
                          gt_label=np.flatnonzero(row).tolist())
                     for name, row in zip(image_names, labels)
                     if row.any() or not self.drop_unlabeled]
        if self.check_images:
            check_images_exist(data_list, list_file)
        return data_list
