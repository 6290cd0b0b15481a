"""How a store names its samples: stable ids from a dataset's data infos."""
import os
import os.path as osp
from typing import Any, List, Optional


def sample_id(info: Any, data_root: Optional[str] = None) -> str:
    """The stable id of a sample: its image path relative to ``data_root``, else its dataset index.

    Args:
        info: a dataset's data info dict, a data sample's ``metainfo`` dict, or a data sample.
            ``img_path`` is used when present, else ``sample_idx`` (mmpretrain / mmengine) or
            ``img_id`` (mmdet).
        data_root: the dataset's data root; paths under it are made relative to it, so the store
            survives moving the data. ``None`` keeps the path as given.

    Returns:
        ``'images/train/000001.png'``-style posix paths, or ``'index:17'`` for index-only data
        (e.g. MNIST arrays); an index is only stable for the same dataset config, which the store's
        fingerprint records.

    Example:
        >>> sample_id(dict(img_path='/data/coco/train/a.jpg', sample_idx=3), '/data/coco')
        'train/a.jpg'
        >>> sample_id(dict(sample_idx=3))
        'index:3'
    """
    metainfo = info.metainfo if hasattr(info, 'metainfo') else info
    path = metainfo.get('img_path')
    if path:
        path = osp.normpath(path)
        if data_root:
            root = osp.normpath(data_root)
            if path == root or path.startswith(root + os.sep):
                path = osp.relpath(path, root)
        return path.replace(os.sep, '/')
    for key in ('sample_idx', 'img_id'):
        if metainfo.get(key) is not None:
            return f'index:{metainfo[key]}'
    raise KeyError('cannot name this sample: it has no `img_path`, `sample_idx` or `img_id` '
                   f'(keys: {sorted(metainfo)}). Keep one of them in the meta_keys of the packing '
                   'transform.')


def data_root_of(dataset: Any) -> Optional[str]:
    """The data root sample ids are relative to (the first wrapped dataset's for wrappers)."""
    while getattr(dataset, 'data_root', None) is None:
        wrapped = getattr(dataset, 'datasets', None) or [None]
        inner = getattr(dataset, 'dataset', None) or wrapped[0]
        if inner is None:
            return None
        dataset = inner
    return dataset.data_root


def dataset_sample_ids(dataset: Any, data_root: Optional[str] = None) -> List[str]:
    """The id of every index of ``dataset``, in order (see :func:`sample_id`).

    Inside a ``ConcatDataset`` (e.g. :class:`~mmkd.datasets.TransferSetDataset`) index-style ids of
    part ``k`` become ``'part<k>/index:<i>'``: two parts of in-memory data (MNIST arrays) both have
    an ``index:0``. Path ids stay as they are.

    Example:
        >>> from mmengine.dataset import BaseDataset, ConcatDataset
        >>> part = BaseDataset(serialize_data=False, lazy_init=True)
        >>> part.data_list, part._fully_initialized = [dict(x=1), dict(x=2)], True
        >>> dataset_sample_ids(ConcatDataset([part, part]))
        ['part0/index:0', 'part0/index:1', 'part1/index:0', 'part1/index:1']
    """
    if data_root is None:
        data_root = data_root_of(dataset)
    parts = getattr(dataset, 'datasets', None)
    if parts is not None and hasattr(dataset, 'cumulative_sizes'):  # ConcatDataset
        ids = []
        for k, part in enumerate(parts):
            ids += [f'part{k}/{id_}' if id_.startswith('index:') else id_
                    for id_ in dataset_sample_ids(part, data_root)]
        return ids
    return [sample_id(dataset.get_data_info(i), data_root) for i in range(len(dataset))]


def repeated(ids: List[str]) -> List[str]:
    """The ids that occur more than once, in order of first repetition.

    Example:
        >>> repeated(['a', 'b', 'a', 'c', 'b'])
        ['a', 'b']
    """
    seen, out = set(), []
    for id_ in ids:
        if id_ in seen and id_ not in out:
            out.append(id_)
        seen.add(id_)
    return out
