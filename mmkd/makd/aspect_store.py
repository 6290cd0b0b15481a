"""Write aspect targets in the mmkd teacher-store layout (``meta.json``, ``ids.txt``, ``*.npy``).

A minimal writer of the layout announced for ``mmkd.datasets.teacher_store`` (branch ``store``),
used until that module lands; readers (:class:`~mmkd.datasets.transforms.LoadAspectTargets`) read
the same files.
"""
import json
import os
import os.path as osp
import shutil
from typing import Dict, Sequence

import numpy as np

STORE_VERSION = 1


def sample_id(data_info: dict, data_root: str = '') -> str:
    """A sample's store id: its image path relative to ``data_root``, else its dataset index."""
    path = data_info.get('img_path')
    if path:
        return osp.relpath(path, data_root).replace(os.sep, '/') if data_root else path
    if 'sample_idx' not in data_info:
        raise KeyError('a sample needs `img_path` or `sample_idx` to be identified in a store')
    return str(data_info['sample_idx'])


def write_store(path: str, ids: Sequence[str], records: Dict[str, np.ndarray],
                fingerprint: dict) -> str:
    """Write a complete store atomically (built beside ``path``, then renamed over it)."""
    for name, array in records.items():
        if len(array) != len(ids):
            raise ValueError(f'record {name!r} has {len(array)} rows for {len(ids)} ids')
    tmp = path.rstrip('/') + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(osp.join(tmp, 'ids.txt'), 'w') as f:
        f.writelines(f'{i}\n' for i in ids)
    for name, array in records.items():
        np.save(osp.join(tmp, f'{name}.npy'), np.ascontiguousarray(array))
    meta = dict(version=STORE_VERSION, fingerprint=fingerprint, num_samples=len(ids),
                complete=True,
                records={n: dict(shape=list(a.shape[1:]), dtype=str(a.dtype))
                         for n, a in records.items()})
    with open(osp.join(tmp, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=2)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)
    return path
