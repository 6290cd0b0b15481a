"""A teacher whose outputs were computed once and are read from a teacher store."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.structures import BaseDataElement

from mmkd.datasets.store_fingerprint import make_fingerprint, store_view_decision
from mmkd.datasets.teacher_store import TeacherStore, read_store_meta, sample_id
from mmkd.registry import MODELS, build_mmkd_module
from .base_teacher import BaseTeacher
from .input_adapter import InputConvention


@MODELS.register_module()
class StoreTeacher(BaseTeacher):
    """Serve a teacher's stored outputs by sample id, or run the live teacher where they don't.

    Which one runs follows :func:`~mmkd.datasets.store_fingerprint.store_view_decision`, checked
    once when the model is built and written in the teacher report:

    * the store serves the batch when it was extracted with ``view='any'``, or when the training
      ``pipeline`` is deterministic and describes the stored view;
    * the live ``teacher`` runs when the training pipeline is random (its outputs for the augmented
      view are not the stored ones); without a ``teacher`` that is an error;
    * a deterministic but different view, a different teacher (config or checkpoint files), an
      incomplete store or a sample id the store lacks are errors naming what differs.

    The stored teacher is never built when the store serves (no weights loaded, no teacher compute).
    Floating records come back as float32 on the input's device.

    Args:
        store: the store directory (``tools/extract_teacher_outputs.py --out``).
        pipeline: the training pipeline (``train_pipeline``); needed unless the store is ``'any'``.
        teacher: the live teacher's config, the one the store was extracted with. Its fingerprint
            is checked against the store; it runs when the training view is random.
        records: the records to serve (default: all of the store's).
        data_root: where the training images live, to compute sample ids (default: the data root
            the store was extracted from).

    Example:
        >>> teachers = dict(resnet50=dict(
        ...     type='StoreTeacher', store='work_dirs/stores/resnet50_in1k',
        ...     pipeline=train_pipeline,
        ...     teacher=dict(type='OpenMMLabTeacher', config='resnet50.py',
        ...                  checkpoint='resnet50.pth')))
    """

    def __init__(self,
                 store: str,
                 pipeline: Optional[Sequence[dict]] = None,
                 teacher: Optional[dict] = None,
                 records: Optional[Sequence[str]] = None,
                 data_root: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.store_path = store
        meta = read_store_meta(store)
        serve, self.reason = store_view_decision(meta['fingerprint'].get('view'), pipeline, store)
        self.store: Optional[TeacherStore] = None
        self.live: Optional[BaseTeacher] = None
        if serve:
            expected = None if teacher is None else make_fingerprint(
                teacher, meta['fingerprint']['view'])
            self.store = TeacherStore(store, expected_fingerprint=expected)
            available = list(self.store.records)
            self.data_root = data_root or meta.get('info', {}).get('data_root')
        elif teacher is None:
            raise ValueError(f'teacher store {store!r} cannot serve this run: {self.reason}. Give '
                             'the live `teacher` config, or make the training view deterministic.')
        else:
            self.live = build_mmkd_module(teacher)
            available = list(self.live.output_names)
        unknown = [name for name in (records or []) if name not in available]
        if unknown:
            raise KeyError(f'StoreTeacher({store!r}): records {unknown} are not available; '
                           f'available: {available}')
        self.output_names = tuple(records or available)
        self.freeze()

    def adapt_inputs(self, student: InputConvention) -> None:
        if self.live is not None:
            self.live.adapt_inputs(student)

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        if self.live is not None:
            outputs = self.live(inputs, data_samples)
            return {name: outputs[name] for name in self.output_names}
        if data_samples is None:
            raise ValueError('StoreTeacher needs the data samples to know which rows to serve')
        ids = [sample_id(sample, self.data_root) for sample in data_samples]
        device = inputs.device if isinstance(inputs, torch.Tensor) else inputs[0].device
        outputs = {}
        for name in self.output_names:
            value = torch.from_numpy(self.store.get(name, ids))
            if value.is_floating_point():
                value = value.float()
            outputs[name] = value.to(device, non_blocking=True)
        return outputs

    def report(self) -> List[str]:
        if self.live is not None:
            return [f'LIVE teacher (store {self.store_path!r} not used: {self.reason})',
                    *self.live.report()]
        return [f'STORE {self.store_path!r}: {len(self.store)} samples, records '
                f'{list(self.output_names)} ({self.reason})']
