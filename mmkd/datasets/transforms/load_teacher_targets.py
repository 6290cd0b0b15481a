"""A pipeline step that puts a sample's stored (view-independent) teacher outputs into its data
sample."""
from typing import Dict, Optional, Sequence, Union

import torch
from mmcv.transforms import BaseTransform

from mmkd.registry import TRANSFORMS
from mmkd.store import TeacherStore, read_store_meta, sample_id


@TRANSFORMS.register_module()
class LoadTeacherTargets(BaseTransform):
    """Set stored teacher records as fields of the packed data sample (place it after packing).

    Losses and heads then read them like ground truth, e.g. ``data_sample.aspect_probs`` for
    MaKD's aspect targets. A pipeline step knows nothing of the view it is in, so it serves only
    view-independent stores (extracted with ``--view-independent``: MLLM answers about the image,
    caption embeddings); outputs of augmented views come from a replay store through
    :class:`~mmkd.datasets.TeacherReplayDataset`.

    Args:
        store: the store directory.
        records: record names (field = record name), or ``{record: field}``.
        data_root: the dataset's data root for sample ids (default: the store's).
        fingerprint: if given, the store's full fingerprint must equal it.

    Example:
        >>> train_pipeline = [
        ...     dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', scale=224),
        ...     dict(type='PackInputs'),
        ...     dict(type='mmkd.LoadTeacherTargets', store='work_dirs/stores/aspects',
        ...          records=dict(yes_prob='gt_aspects'))]
    """

    def __init__(self,
                 store: str,
                 records: Union[Sequence[str], Dict[str, str]],
                 data_root: Optional[str] = None,
                 fingerprint: Optional[dict] = None):
        meta = read_store_meta(store)
        if meta['fingerprint'].get('view') != 'any':
            raise ValueError(f'LoadTeacherTargets cannot serve {store!r}: it holds the teacher\'s '
                             'outputs on views of a pipeline. Serve it with '
                             'mmkd.TeacherReplayDataset + StoreTeacher (or StoreTeacher with '
                             'fixed_view=True).')
        self.store_path = store
        self.fingerprint = fingerprint
        self.fields = dict(records) if isinstance(records, dict) else {r: r for r in records}
        self.data_root = data_root or meta.get('info', {}).get('data_root')
        self._store: Optional[TeacherStore] = None  # opened in each dataloader worker

    @property
    def store(self) -> TeacherStore:
        if self._store is None:
            self._store = TeacherStore(self.store_path, expected_fingerprint=self.fingerprint)
            missing = [r for r in self.fields if r not in self._store.records]
            if missing:
                raise KeyError(f'teacher store {self.store_path!r} has no records {missing}; '
                               f'it has {list(self._store.records)}')
        return self._store

    def transform(self, results: dict) -> dict:
        if 'data_samples' not in results:
            raise KeyError('LoadTeacherTargets goes after the packing transform (PackInputs, '
                           'PackDetInputs, PackSegInputs): no `data_samples` in the results')
        data_sample = results['data_samples']
        id_ = sample_id(data_sample, self.data_root)
        for record, field in self.fields.items():
            value = torch.from_numpy(self.store.get(record, [id_])[0])
            data_sample.set_field(value.float() if value.is_floating_point() else value, field)
        return results

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _store=None)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(store={self.store_path!r}, records={self.fields})'
