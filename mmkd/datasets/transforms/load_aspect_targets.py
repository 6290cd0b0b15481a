"""Give each sample its MaKD aspect targets, read by sample id from the json or a teacher store."""
import json
import os.path as osp
from typing import Optional

import torch
from mmcv.transforms import BaseTransform

from mmkd.registry import TRANSFORMS
from mmkd.store import sample_id
from .load_teacher_targets import LoadTeacherTargets


@TRANSFORMS.register_module()
class LoadAspectTargets(BaseTransform):
    """Set ``aspect_targets`` (the Q MLLM yes-probabilities, float32) in the packed data sample.

    Place it after the packing transform. ``tools/makd/extract_aspect_logits.py`` writes the
    targets twice; either works:

    * its ``teacher_store`` directory (record ``aspect_probs``), read by the store's sample id —
      the image path relative to the extraction's image folder (kept in the store), or
      ``'index:<i>'`` for in-memory datasets (through :class:`LoadTeacherTargets`);
    * its ``multi-aspect-logits.json`` (the original layout ``{key: [Q floats]}``), read by
      ``key``: ``'stem'`` (file stem, as the original), ``'relpath'`` (path relative to
      ``data_root`` without extension) or ``'sample_id'`` (a json written with
      ``--dataset-config``).

    A sample without targets fails with its id and the file named.

    Args:
        source: the store directory or the json file.
        data_root: the folder ids are relative to (default for a store: the one it was extracted
            from; for a json: none).
        key: json lookup, see above.
        field: the data-sample field to set.

    Example:
        >>> train_pipeline = [
        ...     dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', scale=224),
        ...     dict(type='PackInputs'),
        ...     dict(type='mmkd.LoadAspectTargets',
        ...          source='work_dirs/makd_targets/pets/teacher_store')]
    """

    def __init__(self, source: str, data_root: Optional[str] = None, key: str = 'stem',
                 field: str = 'aspect_targets'):
        if key not in ('sample_id', 'stem', 'relpath'):
            raise ValueError(f"key must be 'sample_id', 'stem' or 'relpath', got {key!r}")
        self.source = source
        self.data_root = data_root
        self.key = key
        self.field = field
        self.store_loader: Optional[LoadTeacherTargets] = None
        if osp.isdir(source):
            self.store_loader = LoadTeacherTargets(source, records={'aspect_probs': field},
                                                   data_root=data_root)
        elif osp.isfile(source):
            with open(source) as f:
                self.table = json.load(f)
        else:
            raise FileNotFoundError(f'aspect targets {source} not found: run '
                                    'tools/makd/extract_aspect_logits.py first')

    def transform(self, results: dict) -> dict:
        if self.store_loader is not None:
            return self.store_loader(results)
        if 'data_samples' not in results:
            raise KeyError('LoadAspectTargets goes after the packing transform (PackInputs, '
                           'PackDetInputs): no `data_samples` in the results')
        data_sample = results['data_samples']
        key = sample_id(data_sample, self.data_root)
        if self.key != 'sample_id':
            key = osp.splitext(osp.basename(key) if self.key == 'stem' else key)[0]
        if key not in self.table:
            raise KeyError(f'{self.source} has no aspect targets for sample {key!r} (keys look '
                           f'like {list(self.table)[:2]}); check key={self.key!r} and '
                           f'data_root={self.data_root!r}')
        data_sample.set_field(torch.tensor(self.table[key], dtype=torch.float32), self.field)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(source={self.source!r}, data_root={self.data_root!r}, '
                f'key={self.key!r})')
