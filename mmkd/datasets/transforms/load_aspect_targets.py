"""Give each sample its MaKD aspect targets, read by sample id from the json or a teacher store."""
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmkd.registry import TRANSFORMS
from mmkd.store import sample_id
from mmkd.utils.io import read_json
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

    Every target is checked when the transform is built: all vectors have one length (Q, or
    ``num_aspects`` when given), every value is finite and in [0, 1]; an offender is named with the
    file, its sample id and the value. :meth:`missing_samples` lists the samples of a dataset
    without targets; :class:`~mmkd.engine.TargetCoverageHook` calls it before training, so a
    missing id fails before the first iteration instead of mid-epoch.

    Args:
        source: the store directory or the json file.
        data_root: the folder ids are relative to (default for a store: the one it was extracted
            from; for a json: none).
        key: json lookup, see above.
        field: the data-sample field to set.
        num_aspects: the number of questions Q the model expects (checked if given).

    Example:
        >>> train_pipeline = [
        ...     dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', scale=224),
        ...     dict(type='PackInputs'),
        ...     dict(type='mmkd.LoadAspectTargets',
        ...          source='work_dirs/makd_targets/pets/teacher_store')]
    """

    def __init__(self, source: str, data_root: Optional[str] = None, key: str = 'stem',
                 field: str = 'aspect_targets', num_aspects: Optional[int] = None):
        if key not in ('sample_id', 'stem', 'relpath'):
            raise ValueError(f"key must be 'sample_id', 'stem' or 'relpath', got {key!r}")
        self.source = source
        self.data_root = data_root
        self.key = key
        self.field = field
        self.store_loader: Optional[LoadTeacherTargets] = None
        self.table: Dict[str, list] = {}
        if osp.isdir(source):
            self.store_loader = LoadTeacherTargets(source, records={'aspect_probs': field},
                                                   data_root=data_root)
            store = self.store_loader.store
            ids = list(store.ids)
            rows = store.get('aspect_probs', ids)
            self._ids = set(ids)
        elif osp.isfile(source):
            self.table = read_json(source, 'MaKD aspect targets')
            if not isinstance(self.table, dict):
                raise ValueError(f'MaKD aspect targets {source!r}: expected a JSON object '
                                 '{key: [Q yes-probabilities]}, got a '
                                 f'{type(self.table).__name__}')
            ids, rows = list(self.table), list(self.table.values())
            self._ids = set(ids)
        else:
            raise FileNotFoundError(f'aspect targets {source} not found: run '
                                    'tools/makd/extract_aspect_logits.py first')
        check_aspect_targets(source, ids, rows, num_aspects)

    def _lookup_key(self, info) -> str:
        if self.store_loader is not None:
            return sample_id(info, self.store_loader.data_root)
        key = sample_id(info, self.data_root)
        if self.key != 'sample_id':
            key = osp.splitext(osp.basename(key) if self.key == 'stem' else key)[0]
        return key

    def missing_samples(self, dataset) -> List[str]:
        """The lookup keys of ``dataset``'s samples (data infos) that have no targets."""
        keys = (self._lookup_key(dataset.get_data_info(i)) for i in range(len(dataset)))
        return [key for key in keys if key not in self._ids]

    def transform(self, results: dict) -> dict:
        if self.store_loader is not None:
            return self.store_loader(results)
        if 'data_samples' not in results:
            raise KeyError('LoadAspectTargets goes after the packing transform (PackInputs, '
                           'PackDetInputs): no `data_samples` in the results')
        data_sample = results['data_samples']
        key = self._lookup_key(data_sample)
        if key not in self.table:
            raise KeyError(f'{self.source} has no aspect targets for sample {key!r} (keys look '
                           f'like {list(self.table)[:2]}); check key={self.key!r} and '
                           f'data_root={self.data_root!r}')
        data_sample.set_field(torch.tensor(self.table[key], dtype=torch.float32), self.field)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(source={self.source!r}, data_root={self.data_root!r}, '
                f'key={self.key!r})')


def check_aspect_targets(source: str, ids: Sequence[str], rows: Iterable,
                         num_aspects: Optional[int] = None) -> None:
    """Refuse targets that are not Q probabilities each, naming the file, the sample and the value.

    Example:
        >>> check_aspect_targets('t.json', ['a', 'b'], [[0.1, 0.9], [0.2, float('nan')]])
        Traceback (most recent call last):
        ...
        ValueError: MaKD aspect targets 't.json': sample 'b' has value nan at question #1; targets are yes-probabilities: finite, in [0, 1]
    """  # noqa: E501
    what = f'MaKD aspect targets {source!r}'
    rows = list(rows)
    if not rows:
        raise ValueError(f'{what} holds no targets')
    lengths = {}
    for id_, row in zip(ids, rows):
        values = np.asarray(row) if not isinstance(row, np.ndarray) else row
        if values.ndim != 1 or values.dtype.kind not in 'fiu' or (
                isinstance(row, list) and any(isinstance(v, bool) for v in row)):
            raise ValueError(f'{what}: sample {id_!r} is not a list of numbers: '
                             f'{str(row)[:80]}')
        lengths.setdefault(len(values), []).append(id_)
    expected = num_aspects if num_aspects is not None else max(
        lengths, key=lambda n: len(lengths[n]))
    wrong = {n: found for n, found in lengths.items() if n != expected}
    if wrong:
        examples = '; '.join(f'{found[:3]} have {n}' for n, found in wrong.items())
        origin = 'num_aspects' if num_aspects is not None else 'most samples'
        raise ValueError(f'{what}: every sample needs {expected} values ({origin}); {examples}')
    table = np.asarray(rows, dtype=np.float64)
    bad = np.argwhere(~np.isfinite(table) | (table < 0) | (table > 1))
    if len(bad):
        row, column = bad[0]
        more = f' ({len(bad)} bad values in all)' if len(bad) > 1 else ''
        raise ValueError(f'{what}: sample {ids[row]!r} has value {table[row, column]:g} at '
                         f'question #{column}; targets are yes-probabilities: finite, in [0, 1]'
                         f'{more}')
