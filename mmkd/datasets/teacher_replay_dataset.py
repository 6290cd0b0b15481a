"""Serve a replay store: each sample's augmented view replayed exactly, with the teacher's
outputs."""
from typing import Any, Dict, List, Optional, Union

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop

from mmkd.registry import DATASETS, HOOKS
from mmkd.store import (ReplayError, SampleMixing, TeacherStore, dataset_sample_ids,
                        fingerprint_differences)
from mmkd.store.fingerprint import describe_view
from mmkd.store.format import SERVED_FIELD
from mmkd.store.replay import (VIEW_HASH, mix_inputs, mixed_score, partner_seed, pipeline_owner,
                               run_view, view_hash)


@DATASETS.register_module()
class TeacherReplayDataset:
    """Wrap a training dataset so that every sample comes as one of its stored views.

    For sample ``i`` the wrapper picks view ``v`` (``epoch mod K``, or a seeded random one), seeds
    Python ``random``, NumPy and torch with the seed stored for ``(i, v)``, runs the dataset's own
    pipeline, mixes in the stored Mixup/CutMix partner if the store has one, and checks the view's
    hash against the stored one: the student gets exactly the view the teacher saw, and
    :class:`~mmkd.models.StoreTeacher` serves the teacher's stored outputs on it (their encoded
    arrays travel in the data sample, field ``stored_teacher_outputs``, and are decoded batched
    by the teacher). Seeding per sample makes it independent of worker
    processes and ranks: with ``num_workers > 0`` and under DDP each process replays the samples it
    is given. A view that does not replay fails, naming the sample and the transforms.

    Checked when the dataset is built (before the first step): every sample id of the dataset is in
    the store; the dataset's pipeline describes the stored view (when the dataset is given as a
    config); ``batch_augments`` are the stored ones.

    The epoch comes from :class:`TeacherReplayHook` (``custom_hooks``), as MMEngine's loop tells
    its sampler: without it every epoch would replay view 0, so the teacher refuses such batches.

    Args:
        dataset: the training dataset (config or instance), with the pipeline of the store.
        store: the replay store (``tools/extract_teacher_outputs.py --views K``).
        view_order: ``'epoch'`` (view ``epoch mod K``) or ``'random'`` (a view drawn from
            ``(base seed, epoch, sample)``).
        batch_augments: the recipe's Mixup/CutMix, in mmpretrain's ``batch_augments`` format
            (``dict(augments=[...], probs=...)``); replayed here, so the data preprocessor must
            not have them. ``None``: the store must not mix.
        num_classes: classes of the mixed ``gt_score`` (default: the dataset's ``classes``).
        lazy_init: defer :meth:`full_init` (the runner builds it before training).

    Example:
        >>> train_pipeline = [dict(type='LoadImageFromFile'),
        ...                   dict(type='RandomResizedCrop', scale=224), dict(type='PackInputs')]
        >>> train_dataloader = dict(dataset=dict(
        ...     type='mmkd.TeacherReplayDataset', store='work_dirs/stores/r50_in1k_k8',
        ...     dataset=dict(type='ImageNet', data_root='data/imagenet', split='train',
        ...                  pipeline=train_pipeline)))
        >>> custom_hooks = [dict(type='mmkd.TeacherReplayHook')]
    """

    def __init__(self,
                 dataset: Union[dict, Any],
                 store: str,
                 view_order: str = 'epoch',
                 batch_augments: Optional[dict] = None,
                 num_classes: Optional[int] = None,
                 lazy_init: bool = False):
        if view_order not in ('epoch', 'random'):
            raise ValueError(f"TeacherReplayDataset: view_order must be 'epoch' or 'random', got "
                             f'{view_order!r}')
        self._dataset_cfg = dataset if isinstance(dataset, dict) else None
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        self.store_path = store
        self.view_order = view_order
        self.mixing = SampleMixing(**batch_augments) if batch_augments else None
        self.num_classes = num_classes
        # shared memory: persistent dataloader workers see every set_epoch
        self._epoch = torch.full((), -1, dtype=torch.long).share_memory_()
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def full_init(self) -> None:
        """Open and check the store against the dataset (ids, pipeline, mixing)."""
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        store = TeacherStore(self.store_path)
        if store.replay is None:
            raise ValueError(f'teacher store {self.store_path!r} is view-independent (no views '
                             'to replay): serve it with StoreTeacher alone, without '
                             'TeacherReplayDataset.')
        if store.replay.get('view_hash') != VIEW_HASH:
            raise ValueError(f'teacher store {self.store_path!r} hashed its views with '
                             f'{store.replay.get("view_hash")!r}, this mmkd with {VIEW_HASH!r}: '
                             'extract it again.')
        self._check_pipeline(store)
        stored_mixing = store.replay['mixing']
        mixing = None if self.mixing is None else self.mixing.spec()
        if fingerprint_differences(stored_mixing, mixing):
            raise ValueError(
                f'TeacherReplayDataset: batch_augments differ from those teacher store '
                f'{self.store_path!r} was extracted with:\n  ' +
                '\n  '.join(fingerprint_differences(stored_mixing, mixing)) +
                '\nExtract it again with these batch_augments, or use the stored ones.')
        ids = dataset_sample_ids(self.dataset)
        store.check_ids(ids, 'the training dataset (TeacherReplayDataset)')
        self._rows = np.asarray(store.rows(ids), dtype=np.int64)
        self._ids = ids
        if store.mixes:
            self._index_of_row = np.full(len(store), -1, dtype=np.int64)
            self._index_of_row[self._rows] = np.arange(len(self._rows))
            if self.num_classes is None:
                self.num_classes = len(self.metainfo.get('classes') or []) or None
            if self.num_classes is None:
                raise ValueError('TeacherReplayDataset: give num_classes (the dataset has no '
                                 '`classes`) for the mixed gt_score')
        self.store = store
        self._fully_initialized = True

    def _check_pipeline(self, store: TeacherStore) -> None:
        pipelines = _pipelines_of(self._dataset_cfg)
        if not pipelines:  # a built dataset: the per-sample hash check remains
            return
        for pipeline in pipelines:
            differences = fingerprint_differences(store.fingerprint['view'],
                                                  describe_view(pipeline))
            if differences:
                raise ValueError(
                    f'TeacherReplayDataset: the dataset pipeline is not the one teacher store '
                    f'{self.store_path!r} was extracted with; extract it again with this '
                    'pipeline (tools/extract_teacher_outputs.py --views K). Differences:\n  ' +
                    '\n  '.join(differences))

    def set_epoch(self, epoch: int) -> None:
        """Choose the views of epoch ``epoch`` (shared with dataloader workers)."""
        self._epoch.fill_(epoch)

    def view_of(self, row: int, epoch: int) -> int:
        """The view of store row ``row`` in epoch ``epoch``."""
        if self.view_order == 'epoch':
            return epoch % self.store.views
        base_seed = self.store.replay['base_seed']
        return int(np.random.default_rng([base_seed, epoch, row]).integers(self.store.views))

    def get_data_info(self, index: int) -> dict:
        return self.dataset.get_data_info(index)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> dict:
        if not self._fully_initialized:
            self.full_init()
        epoch = int(self._epoch)
        row = int(self._rows[index])
        view = self.view_of(row, max(epoch, 0))
        params = self.store.view_params(row, view)
        results = run_view(self.dataset, index, params['seed'])
        gt_score = None
        if self.store.mixes:
            results['inputs'], gt_score = self._mix(results, params)
        if view_hash(results['inputs']) != params['hash']:
            raise ReplayError(
                f'sample {self._ids[index]!r} (index {index}, view {view}, seed {params["seed"]}) '
                f'does not replay: its view differs from the one the teacher saw when teacher '
                f'store {self.store_path!r} was written. A transform of '
                f'[{", ".join(_transform_names(self.dataset, index))}] draws from a source the '
                'seeds do not reach, or the pipeline, its code or the image changed since. Fix '
                'the transform, or extract the store again.')
        data_sample = results['data_samples']
        if gt_score is not None:
            data_sample.set_gt_score(gt_score)
        served = dict(data_sample.get(SERVED_FIELD, None) or {})
        served[self.store.uuid] = dict(parts=self.store.view_parts(row, view), view=view,
                                       epoch=epoch, gt_score=gt_score)
        data_sample.set_field(served, SERVED_FIELD)
        return results

    def _mix(self, results: dict, params: Dict[str, Any]):
        mix = params['mix']
        partner = None
        if mix.kind:
            partner_index = int(self._index_of_row[mix.partner])
            if partner_index < 0:
                raise KeyError(f'TeacherReplayDataset: the mixing partner (store row '
                               f'{mix.partner}, {self.store.ids[mix.partner]!r}) of a view is '
                               'not in the training dataset; train on the dataset the store was '
                               'extracted from.')
            partner = run_view(self.dataset, partner_index, partner_seed(params['seed']))
        data_sample = results['data_samples']
        if 'gt_label' not in data_sample:
            raise KeyError('TeacherReplayDataset: mixing needs classification samples with '
                           '`gt_label` (mmpretrain DataSample)')
        score = mixed_score(data_sample.gt_label,
                            None if partner is None else partner['data_samples'].gt_label,
                            mix, self.num_classes)
        inputs = mix_inputs(results['inputs'],
                            None if partner is None else partner['inputs'], mix)
        return inputs, score


def _pipelines_of(dataset_cfg: Optional[dict]) -> List[list]:
    """The pipelines in a dataset config (wrapped datasets included)."""
    found = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if 'pipeline' in node:
                found.append(list(node['pipeline']))
            for key, value in node.items():
                if key != 'pipeline':
                    visit(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                visit(value)

    visit(dataset_cfg)
    return found


def _transform_names(dataset: Any, index: int) -> List[str]:
    base, _ = pipeline_owner(dataset, index)
    transforms = getattr(getattr(base, 'pipeline', None), 'transforms', None) or []
    return [type(transform).__name__ for transform in transforms]


def replay_datasets(dataset: Any) -> List[TeacherReplayDataset]:
    """Every :class:`TeacherReplayDataset` in a (possibly wrapped) dataset."""
    if isinstance(dataset, TeacherReplayDataset):
        return [dataset]
    found = []
    for inner in [getattr(dataset, 'dataset', None), *(getattr(dataset, 'datasets', None) or [])]:
        if inner is not None:
            found += replay_datasets(inner)
    return found


@HOOKS.register_module()
class TeacherReplayHook(Hook):
    """Tell every :class:`TeacherReplayDataset` of the training data the epoch, so that each epoch
    replays its own views (``custom_hooks=[dict(type='mmkd.TeacherReplayHook')]``).

    In an iteration-based loop the "epoch" is the number of passes over the dataloader so far.
    """

    priority = 'NORMAL'

    def before_train(self, runner) -> None:
        if not replay_datasets(runner.train_dataloader.dataset):
            raise ValueError('TeacherReplayHook: the training dataset has no TeacherReplayDataset '
                             '(wrap train_dataloader.dataset in one, or remove the hook)')

    def before_train_epoch(self, runner) -> None:
        self._set(runner, runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            self._set(runner, runner.iter // max(1, len(runner.train_dataloader)))

    @staticmethod
    def _set(runner, epoch: int) -> None:
        for dataset in replay_datasets(runner.train_dataloader.dataset):
            dataset.set_epoch(epoch)
