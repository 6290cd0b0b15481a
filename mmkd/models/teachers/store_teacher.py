"""A teacher whose outputs were computed once and are read from a teacher store."""
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.registry import DATASETS as ROOT_DATASETS
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement

from mmkd.registry import MODELS
from mmkd.store import (TeacherStore, dataset_sample_ids, make_fingerprint, read_store_meta,
                        sample_id)
from mmkd.store.format import SERVED_FIELD
from mmkd.store.sample_ids import repeated
from .base_teacher import BaseTeacher
from .input_adapter import InputConvention


@MODELS.register_module()
class StoreTeacher(BaseTeacher):
    """Serve a teacher's stored outputs: no teacher weights are loaded, no teacher runs.

    What it serves depends on the store (all decided when the model is built and written in the
    teacher report):

    * **REPLAY** (a store of K views per sample, ``--views K``): the outputs of exactly the view
      each sample came as, which :class:`~mmkd.datasets.TeacherReplayDataset` replays (seeded,
      hash-checked) and puts in the data sample. Any random pipeline, Mixup/CutMix included.
    * **FIXED VIEW** (``fixed_view=True``, a store of one view): the stored view's outputs whatever
      view the student trains on, read by sample id — a deliberate recipe (VLM-OOD's original
      distils cached features of the un-augmented image during augmented training).
    * **VIEW-INDEPENDENT** (``--view-independent``): outputs that describe the sample whatever its
      view (MLLM answers, caption embeddings), read by sample id.

    Refused at build, naming the difference: an incomplete or corrupted store, a different teacher
    (``teacher`` config or checkpoint files), records it does not hold, and — given ``dataset`` —
    sample ids it lacks. A replay batch that the dataset wrapper did not serve, or whose epoch was
    never set, is refused at the first step.

    Softmax records stored top-k (``softmax_topk``) come back as log-probabilities, which act as
    logits at any KD temperature: ``softmax(log p / T) ∝ p^(1/T) ∝ exp(z / T)``.

    Args:
        store: the store directory (``tools/extract_teacher_outputs.py --out``).
        teacher: the live teacher's config the store was extracted with; its fingerprint (config,
            checkpoint content) must match the store's. The extraction tool runs it.
        records: the records to serve (default: all of the store's).
        fixed_view: serve a one-view store's outputs during training on other views (see above).
        dataset: the training dataset (config or instance) whose sample ids must all be in the
            store, checked at build (sample-id modes; a replay store is checked by the wrapper).
        data_root: where the training images live, for sample ids (default: the store's).

    Example:
        >>> teachers = dict(resnet50=dict(
        ...     type='StoreTeacher', store='work_dirs/stores/resnet50_in1k_k8',
        ...     teacher=dict(type='OpenMMLabTeacher', config='resnet50.py',
        ...                  checkpoint='resnet50.pth')))
    """

    def __init__(self,
                 store: str,
                 teacher: Optional[dict] = None,
                 records: Optional[Sequence[str]] = None,
                 fixed_view: bool = False,
                 dataset: Union[None, dict, Any] = None,
                 data_root: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.store_path = store
        view = read_store_meta(store)['fingerprint'].get('view')
        self.store = TeacherStore(store, expected_fingerprint=None if teacher is None else
                                  make_fingerprint(teacher, view))
        if view == 'any':
            self.mode = 'VIEW-INDEPENDENT'
        elif fixed_view:
            if self.store.views != 1:
                raise ValueError(
                    f'StoreTeacher({store!r}, fixed_view=True): the store holds {self.store.views} '
                    'views per sample; a fixed view is one. Extract it with --views 1 (the view '
                    'to keep), or serve this replay store through mmkd.TeacherReplayDataset.')
            self.mode = 'FIXED VIEW'
        else:
            self.mode = 'REPLAY'
        available = list(self.store.records)
        unknown = [name for name in (records or []) if name not in available]
        if unknown:
            raise KeyError(f'StoreTeacher({store!r}): records {unknown} are not in the store; '
                           f'it has {available}')
        self.output_names = tuple(records or available)
        self.data_root = data_root or self.store.meta.get('info', {}).get('data_root')
        if dataset is not None:
            if self.mode == 'REPLAY':
                raise ValueError(f'StoreTeacher({store!r}): a replay store is checked against the '
                                 'dataset by mmkd.TeacherReplayDataset; drop `dataset`.')
            self.store.check_ids(self._dataset_ids(dataset), 'the training dataset')
        self.freeze()

    def _dataset_ids(self, dataset: Union[dict, Any]) -> List[str]:
        if isinstance(dataset, dict):
            dataset = _build_dataset(dataset)
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        ids = [sample_id(dataset.get_data_info(i), self.data_root) for i in range(len(dataset))]
        shared = repeated(ids)
        if shared and not repeated(dataset_sample_ids(dataset, self.data_root)):
            raise ValueError(
                f'StoreTeacher({self.store_path!r}): different samples of the training dataset '
                f'share the id {shared[0]!r} (two in-memory parts of a ConcatDataset such as '
                'TransferSetDataset): read by sample id they would get one another\'s outputs. '
                'Serve the store through mmkd.TeacherReplayDataset (part-qualified ids).')
        return ids

    def adapt_inputs(self, student: InputConvention) -> None:
        """Nothing to adapt: the stored outputs were computed on the teacher's own input."""

    def record_shapes(self, inputs: torch.Tensor) -> Dict[str, Optional[tuple]]:
        """The stored shape of every served record (one sample), from the store: no forward."""
        return {name: tuple(self.store.records[name]['shape']) for name in self.output_names}

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        if data_samples is None:
            raise ValueError('StoreTeacher needs the data samples to know which rows to serve')
        device = inputs.device if isinstance(inputs, torch.Tensor) else inputs[0].device
        if self.mode == 'REPLAY':
            served = self._served(data_samples)
            parts = {array: np.stack([item['parts'][array] for item in served])
                     for array in served[0]['parts']}
            outputs = {name: torch.from_numpy(self.store.decode(name, parts))
                       for name in self.output_names}
        else:
            rows = self.store.rows([sample_id(s, self.data_root) for s in data_samples])
            outputs = {name: torch.from_numpy(self.store.get_rows(name, rows))
                       for name in self.output_names}
        return {name: (value.float() if value.is_floating_point() else value).to(
            device, non_blocking=True) for name, value in outputs.items()}

    def _served(self, data_samples: List[BaseDataElement]) -> List[dict]:
        """The replayed views' outputs the dataset wrapper put in the data samples, checked."""
        served = [(sample.get(SERVED_FIELD, None) or {}).get(self.store.uuid)
                  for sample in data_samples]
        if any(item is None for item in served):
            raise ValueError(
                f'StoreTeacher({self.store_path!r}) serves a replay store ({self.store.views} '
                'views per sample), but this batch was not replayed from it: wrap the training '
                f"dataset in dict(type='mmkd.TeacherReplayDataset', store={self.store_path!r}, "
                'dataset=...) (or use fixed_view=True for a one-view store, knowingly).')
        if self.store.views > 1 and any(item['epoch'] < 0 for item in served):
            raise RuntimeError(
                'TeacherReplayDataset was never told the epoch, so every epoch would replay the '
                "same view: add custom_hooks=[dict(type='mmkd.TeacherReplayHook')].")
        for sample, item in zip(data_samples, served):
            score = sample.get('gt_score', None)
            if score is None:
                continue
            mixed_after = (item['gt_score'] is None and bool(((score > 0) & (score < 1)).any())) \
                or (item['gt_score'] is not None
                    and not torch.allclose(score.cpu().float(), item['gt_score']))
            if mixed_after:
                raise RuntimeError(
                    'the data preprocessor mixed the batch (batch_augments) after its views were '
                    'replayed, so the stored teacher outputs are not for what the student sees: '
                    'move batch_augments from the data preprocessor into '
                    'TeacherReplayDataset(batch_augments=...) and extract the store with them.')
        return served

    def report(self) -> List[str]:
        store = self.store
        records = ', '.join(f'{name} ({store.records[name]["codec"]})'
                            for name in self.output_names)
        size = f'{store.bytes_per_view(self.output_names):.0f} bytes per view'
        if self.mode == 'REPLAY':
            replay = store.replay
            kind = ('random' if replay['random'] else 'deterministic') + ' pipeline'
            if replay['mixing']:
                kind += ', Mixup/CutMix'
            return [f'REPLAY store {self.store_path!r}: {len(store)} samples x {store.views} views '
                    f'({kind}), records {records}, {size}; each view replayed and hash-checked, '
                    'no teacher forward']
        if self.mode == 'FIXED VIEW':
            return [f'FIXED VIEW store {self.store_path!r}: {len(store)} samples, records '
                    f'{records}, {size}; the stored view\'s outputs serve every training view '
                    '(the teacher did not see the student\'s augmented views)']
        return [f'VIEW-INDEPENDENT store {self.store_path!r}: {len(store)} samples, records '
                f'{records}, {size}']


def _build_dataset(dataset_cfg: dict) -> Any:
    """Build a dataset config in its package's scope: teachers are built in mmkd's, where
    ``'MultiLabelDataset'`` and its transforms (``'PackInputs'``) are not found."""
    type_ = dataset_cfg.get('type')
    scope, _, name = type_.rpartition('.') if isinstance(type_, str) else ('', '', '')
    if not scope:
        scopes = [s for s, registry in ROOT_DATASETS.children.items()
                  if name in registry.module_dict]
        if len(scopes) != 1:
            raise KeyError(f'StoreTeacher(dataset=...): dataset type {type_!r} is registered in '
                           f'{scopes or "no package"}; give it with its scope, e.g. '
                           f"'mmpretrain.{type_}'")
        scope = scopes[0]
    with DefaultScope.overwrite_default_scope(scope):
        return ROOT_DATASETS.build(dict(dataset_cfg, type=f'{scope}.{name}'))
