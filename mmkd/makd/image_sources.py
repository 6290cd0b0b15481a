"""The images to score: a folder tree, or the samples of an OpenMMLab dataset config."""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, Union

import numpy as np
from mmengine.config import Config
from PIL import Image

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.tif', '.tiff', '.webp', '.ppm',
                    '.pgm', '.pbm')


@dataclass
class ImageRecord:
    """One image: its store id, its key in ``multi-aspect-logits.json``, its class, a loader."""
    sample_id: str
    key: str
    label: Optional[str]
    load: Callable[[], Image.Image]


def _open_rgb(path: str) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        with Image.open(path) as image:
            return image.convert('RGB')
    return load


def _array_loader(array) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        return Image.fromarray(np.asarray(array)).convert('RGB')
    return load


def folder_records(root: str, key: str = 'stem') -> Tuple[List[ImageRecord], str]:
    """Every image under ``root`` (any common extension, recursively), sorted by path; and ``root``.

    The store id is the path relative to ``root``; the json key is the file stem (the seed's
    layout) or, with ``key='relpath'``, the relative path without extension. The class is the
    first folder below ``root`` (``root/<class>/<image>``), else ``None``.

    Example:
        >>> import os, tempfile
        >>> from PIL import Image
        >>> tmp = tempfile.TemporaryDirectory()
        >>> os.makedirs(f'{tmp.name}/abyssinian')
        >>> Image.new('RGB', (8, 8)).save(f'{tmp.name}/abyssinian/abyssinian_0_1.jpg')
        >>> records, root = folder_records(tmp.name)
        >>> records[0].sample_id, records[0].key, records[0].label
        ('abyssinian/abyssinian_0_1.jpg', 'abyssinian_0_1', 'abyssinian')
        >>> records[0].load().size
        (8, 8)
        >>> tmp.cleanup()
    """
    if key not in ('stem', 'relpath'):
        raise ValueError(f"key must be 'stem' or 'relpath', got {key!r}")
    if not osp.isdir(root):
        raise FileNotFoundError(f'image folder {root} does not exist')
    records, seen = [], {}
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if not name.lower().endswith(IMAGE_EXTENSIONS):
                continue
            path = osp.join(folder, name)
            rel = osp.relpath(path, root).replace(os.sep, '/')
            json_key = osp.splitext(name if key == 'stem' else rel)[0]
            if json_key in seen:
                raise ValueError(f'images {seen[json_key]} and {rel} have the same json key '
                                 f'{json_key!r}; use --key relpath')
            seen[json_key] = rel
            label = rel.split('/')[0] if '/' in rel else None
            records.append(ImageRecord(rel, json_key, label, _open_rgb(path)))
    if not records:
        raise FileNotFoundError(f'no images ({", ".join(IMAGE_EXTENSIONS)}) under {root}')
    return records, root


def dataset_records(config: Union[str, Config], split: str = 'train_dataloader'
                    ) -> Tuple[List[ImageRecord], str]:
    """The samples of the dataset of ``cfg[split]`` (its pipeline is not run); its data root.

    Ids are those of the teacher store, :func:`mmkd.store.sample_id`: the image
    path relative to the dataset's ``data_root`` or, for datasets held in memory (``FashionMNIST``,
    ``CIFAR``), ``'index:<i>'``. The class comes from ``gt_label`` and the dataset's classes.
    """
    from mmengine.config import Config
    from mmengine.registry import DATASETS, DefaultScope

    from mmkd.store import sample_id
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if split not in cfg or 'dataset' not in cfg[split]:
        raise KeyError(f'{config} has no {split}.dataset')
    dataset_cfg = dict(cfg[split]['dataset'])
    dataset_cfg['pipeline'] = []
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        dataset = DATASETS.build(dataset_cfg)
    classes = dataset.metainfo.get('classes')
    data_root = getattr(dataset, 'data_root', None) or ''
    records, seen = [], {}
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        label = info.get('gt_label')
        if label is not None and np.size(label) == 1:
            label = int(np.asarray(label).reshape(-1)[0])
            label = classes[label] if classes else str(label)
        else:
            label = None
        sid = sample_id(info, data_root)
        if sid in seen:
            raise ValueError(f'samples {seen[sid]} and {index} of {split}.dataset have the same id '
                             f'{sid!r} (the same image listed twice): their targets would '
                             'overwrite each other; remove the duplicate from the annotation')
        seen[sid] = index
        if info.get('img_path'):
            load = _open_rgb(info['img_path'])
        else:
            load = _array_loader(info['img'])
        records.append(ImageRecord(sid, sid, label, load))
    return records, data_root
