"""MS-COCO 2014 as a multi-label set, read from L2D's ``train_anno.json`` / ``val_anno.json``."""
import json
import os.path as osp
from typing import List

from mmpretrain.datasets import MultiLabelDataset

from mmkd.registry import DATASETS
from .image_checks import check_images_exist

#: The 80 COCO classes in the order L2D's label indices use: names with underscores, sorted.
COCO14_L2D_CLASSES = (
    'airplane', 'apple', 'backpack', 'banana', 'baseball_bat', 'baseball_glove', 'bear', 'bed',
    'bench', 'bicycle', 'bird', 'boat', 'book', 'bottle', 'bowl', 'broccoli', 'bus', 'cake', 'car',
    'carrot', 'cat', 'cell_phone', 'chair', 'clock', 'couch', 'cow', 'cup', 'dining_table', 'dog',
    'donut', 'elephant', 'fire_hydrant', 'fork', 'frisbee', 'giraffe', 'hair_drier', 'handbag',
    'horse', 'hot_dog', 'keyboard', 'kite', 'knife', 'laptop', 'microwave', 'motorcycle', 'mouse',
    'orange', 'oven', 'parking_meter', 'person', 'pizza', 'potted_plant', 'refrigerator', 'remote',
    'sandwich', 'scissors', 'sheep', 'sink', 'skateboard', 'skis', 'snowboard', 'spoon',
    'sports_ball', 'stop_sign', 'suitcase', 'surfboard', 'teddy_bear', 'tennis_racket', 'tie',
    'toaster', 'toilet', 'toothbrush', 'traffic_light', 'train', 'truck', 'tv', 'umbrella', 'vase',
    'wine_glass', 'zebra')


@DATASETS.register_module()
class COCO14MultiLabel(MultiLabelDataset):
    """MS-COCO 2014 multi-label classification in penghui-yang/L2D's layout::

        data/coco/train2014/COCO_train2014_000000000009.jpg ...
        data/coco/val2014/COCO_val2014_000000000042.jpg ...
        data/coco/train_anno.json     (L2D's ./appendix files)
        data/coco/val_anno.json

    An annotation file is a JSON list of ``{"file_name": "COCO_val2014_….jpg", "labels": [i, …]}``
    whose indices point into :data:`COCO14_L2D_CLASSES` (the 80 names, underscored, sorted: L2D's
    ``class_name.sort()``). Images without labels are not in L2D's files; any that are kept as
    all-negative samples.

    Errors: invalid JSON fails with the file, line and column; an entry that is not
    ``{file_name: str, labels: [int in 0..79]}`` (``true`` is not a label) fails with the file, the
    entry's index and its file name; a file name listed twice fails with both entries; a listed image that is
    missing is named when the dataset is built.

    Args:
        data_root: the folder holding the image folders and the annotation files.
        ann_file: ``'train_anno.json'`` or ``'val_anno.json'`` (relative to ``data_root``).
        data_prefix: the image folder, ``'train2014'`` or ``'val2014'``.
        check_images: check at build time that every listed image exists.
        **kwargs: as :class:`~mmpretrain.datasets.MultiLabelDataset`.

    Example:
        >>> dataset = dict(type='mmkd.COCO14MultiLabel', data_root='data/coco',
        ...                ann_file='val_anno.json', data_prefix='val2014')
    """

    METAINFO = {'classes': COCO14_L2D_CLASSES}

    def __init__(self, data_root: str, ann_file: str, data_prefix: str,
                 check_images: bool = True, **kwargs):
        self.check_images = check_images
        super().__init__(ann_file=ann_file, data_root=data_root, data_prefix=data_prefix,
                         **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{self.ann_file}: annotation file not found (L2D ships '
                                    'train_anno.json and val_anno.json in its ./appendix folder)')
        with open(self.ann_file, encoding='utf-8') as f:
            try:
                entries = json.load(f)
            except json.JSONDecodeError as error:
                raise ValueError(f'{self.ann_file}:{error.lineno}:{error.colno}: invalid JSON '
                                 f'({error.msg})') from None
        if not isinstance(entries, list):
            raise ValueError(f'{self.ann_file}: expected a JSON list of '
                             f'{{"file_name", "labels"}} entries, got a {type(entries).__name__}')
        num_classes = len(self.CLASSES)
        data_list, seen = [], {}
        for index, entry in enumerate(entries):
            file_name = entry.get('file_name') if isinstance(entry, dict) else None
            labels = entry.get('labels') if isinstance(entry, dict) else None
            if not isinstance(file_name, str) or not isinstance(labels, list) or not all(
                    isinstance(label, int) and not isinstance(label, bool)
                    and 0 <= label < num_classes for label in labels):
                raise ValueError(
                    f'{self.ann_file}: entry {index} ({file_name or "no file_name"}) must be '
                    f'{{"file_name": str, "labels": [int in 0..{num_classes - 1}]}}; got '
                    f'{json.dumps(entry)[:200]}')
            if file_name in seen:
                raise ValueError(f'{self.ann_file}: entries {seen[file_name]} and {index} both '
                                 f'list {file_name!r}: it would be a duplicate sample; merge '
                                 'their labels into one entry')
            seen[file_name] = index
            data_list.append(dict(img_path=osp.join(self.img_prefix, file_name),
                                  gt_label=sorted(set(labels))))
        if self.check_images:
            check_images_exist(data_list, self.ann_file)
        return data_list
