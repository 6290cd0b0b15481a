"""Give each sample its MaKD aspect targets, read by sample id from the json or a teacher store."""
import json
import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmkd.registry import TRANSFORMS
from ..teacher_store import TeacherStore, sample_id


@TRANSFORMS.register_module()
class LoadAspectTargets(BaseTransform):
    """Add ``results['aspect_targets']``: the Q MLLM yes-probabilities of this sample (float32).

    Written by ``tools/makd/extract_aspect_logits.py``, the targets are read from

    * a teacher store directory (record ``aspect_probs``), by the store's sample id — the image
      path relative to ``data_root``, or ``'index:<i>'`` for in-memory datasets; or
    * a ``multi-aspect-logits.json`` (the original layout ``{key: [Q floats]}``), by ``key``:
      ``'stem'`` (file stem, as the original), ``'relpath'`` (path relative to ``data_root``
      without extension) or ``'sample_id'`` (json written with ``--dataset-config``).

    A sample without targets fails with its id and the file named. Pack the field with
    ``dict(type='PackInputs', algorithm_keys=['aspect_targets'])``.

    Args:
        source: the json file or the store directory.
        data_root: the folder ids are relative to: the ``--images`` folder of the extraction
            (``None``: ids of in-memory datasets, ``'index:<i>'``).
        key: json lookup, see above (a store is always read by sample id).
        num_aspects: if given, the targets must have this many entries.

    Example:
        >>> pipeline = [dict(type='LoadImageFromFile'),
        ...             dict(type='mmkd.LoadAspectTargets', data_root='data/pets/train',
        ...                  source='work_dirs/makd/pets/teacher_store'),
        ...             dict(type='PackInputs', algorithm_keys=['aspect_targets'])]
    """

    def __init__(self, source: str, data_root: Optional[str] = None, key: str = 'sample_id',
                 num_aspects: Optional[int] = None):
        if key not in ('sample_id', 'stem', 'relpath'):
            raise ValueError(f"key must be 'sample_id', 'stem' or 'relpath', got {key!r}")
        self.source = source
        self.data_root = data_root
        self.key = key
        if osp.isdir(source):
            self.store: Optional[TeacherStore] = TeacherStore(source)
            self.table: Optional[Dict[str, list]] = None
            width = self.store.records['aspect_probs']['shape'][0]
        elif osp.isfile(source):
            self.store = None
            with open(source) as f:
                self.table = json.load(f)
            width = len(next(iter(self.table.values()))) if self.table else 0
        else:
            raise FileNotFoundError(f'aspect targets {source} not found: run '
                                    'tools/makd/extract_aspect_logits.py first')
        if num_aspects is not None and width != num_aspects:
            raise ValueError(f'{source} has {width} aspects per sample, num_aspects={num_aspects}')

    def _lookup_key(self, results: dict) -> str:
        id_ = sample_id(results, self.data_root)
        if self.store is not None or self.key == 'sample_id':
            return id_
        return osp.splitext(osp.basename(id_) if self.key == 'stem' else id_)[0]

    def transform(self, results: dict) -> dict:
        key = self._lookup_key(results)
        if self.store is not None:
            if key not in self.store:
                raise KeyError(f'{self.source} has no aspect targets for sample {key!r} (ids look '
                               f'like {self.store.ids[:2]}); is data_root={self.data_root!r} '
                               'the folder the targets were extracted from?')
            targets = self.store.get('aspect_probs', [key])[0]
        else:
            if key not in self.table:
                raise KeyError(f'{self.source} has no aspect targets for sample {key!r} (keys '
                               f'look like {list(self.table)[:2]}); check key={self.key!r} and '
                               f'data_root={self.data_root!r}')
            targets = self.table[key]
        results['aspect_targets'] = np.asarray(targets, dtype=np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(source={self.source!r}, '
                f'data_root={self.data_root!r}, key={self.key!r})')
