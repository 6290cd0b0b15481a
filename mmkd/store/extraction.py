"""Running a teacher over K replayable views of every sample of a dataset, into a store.

:func:`extract_store` is what ``tools/extract_teacher_outputs.py`` runs (and what a script can call
directly). View ``v`` of the sample in row ``i`` is the dataset's pipeline under the seed
``view_seed(base_seed, i, v)``, mixed with a partner's view when ``mixing`` is given; the batch goes
through the student's data preprocessor and the teacher's own input conversion, exactly as in
training, so the stored outputs are the live teacher's on the view the student will see.
"""
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader, Dataset

from .fingerprint import make_fingerprint, random_transforms
from .replay import (NO_MIX, VIEW_HASH, MixParams, SampleMixing, mix_arrays, mix_inputs,
                     partner_seed, probe_pipeline, run_view, view_hash, view_seed)
from .sample_ids import dataset_sample_ids, repeated
from .writer import TeacherStoreWriter

#: Samples the behaviour probe runs (spread over the dataset).
PROBE_SAMPLES = 4


class ViewItems(Dataset):
    """Item ``p * views + v``: view ``v`` of the sample in row ``rows[p]``, with its replay facts.

    Args:
        dataset: the dataset, rows are its indices.
        rows: the rows to render (a shard, or what is left to write).
        views: views per sample.
        base_seed: the store's base seed.
        mixing: Mixup/CutMix to draw per view, or ``None``.
    """

    def __init__(self, dataset: Any, rows: Sequence[int], views: int, base_seed: int,
                 mixing: Optional[SampleMixing] = None):
        self.dataset = dataset
        self.rows = list(rows)
        self.views = views
        self.base_seed = base_seed
        self.mixing = mixing

    def __len__(self) -> int:
        return len(self.rows) * self.views

    def __getitem__(self, item: int) -> dict:
        row, view = self.rows[item // self.views], item % self.views
        seed = view_seed(self.base_seed, row, view)
        results = run_view(self.dataset, row, seed)
        mix = NO_MIX
        if self.mixing is not None:
            mix = self.mixing.draw(np.random.default_rng([seed, 2]), len(self.dataset),
                                   tuple(results['inputs'].shape[-2:]))
            partner = None
            if mix.kind:
                partner = run_view(self.dataset, mix.partner, partner_seed(seed))['inputs']
            results['inputs'] = mix_inputs(results['inputs'], partner, mix)
        results['replay'] = (seed, view_hash(results['inputs']), mix)
        return results


def _collate(items: List[dict]) -> Tuple[dict, List[Tuple[int, int, MixParams]]]:
    replay = [item.pop('replay') for item in items]
    return pseudo_collate(items), replay


def replay_settings(dataset: Any, pipeline: Sequence[dict], base_seed: int,
                    mixing: Optional[SampleMixing]) -> dict:
    """The ``replay`` block of ``meta.json``: base seed, mixing, and the pipeline's randomness
    (by behaviour, :func:`~mmkd.store.replay.probe_pipeline`; by name beside it)."""
    probe = sorted({round(i * (len(dataset) - 1) / max(1, PROBE_SAMPLES - 1))
                    for i in range(min(PROBE_SAMPLES, len(dataset)))})
    return dict(base_seed=base_seed, view_hash=VIEW_HASH, random=probe_pipeline(dataset, probe),
                random_by_name=random_transforms(pipeline),
                mixing=None if mixing is None else mixing.spec())


@torch.no_grad()
def extract_store(path: str, dataset: Any, pipeline: Sequence[dict], teacher_cfg: dict,
                  preprocessor: torch.nn.Module, views: int = 1, base_seed: int = 0,
                  mixing: Optional[SampleMixing] = None, view_independent: bool = False,
                  codecs: Optional[Dict[str, str]] = None, shard: Optional[Tuple[int, int]] = None,
                  batch_size: int = 64, num_workers: int = 0, device: str = 'cpu',
                  max_samples: Optional[int] = None, info: Optional[dict] = None,
                  progress: bool = True) -> bool:
    """Write (or resume) the store of ``teacher_cfg`` over ``dataset``; return whether complete.

    Args:
        path: the store directory (a shard's own directory for ``shard``).
        dataset: the dataset, built with ``pipeline``.
        pipeline: its pipeline config (the view recorded in the fingerprint).
        teacher_cfg: the teacher's config (built only if rows are left to write).
        preprocessor: the student's data preprocessor (the batch goes through it, as in training).
        views: K views per sample.
        base_seed: seeds of view ``v`` of row ``i`` are ``view_seed(base_seed, i, v)``.
        mixing: Mixup/CutMix drawn per view (the recipe's ``batch_augments``).
        view_independent: declare that the outputs do not depend on the view (``view='any'``: no
            seeds or hashes are stored, the store serves any training pipeline).
        codecs: ``{record: codec}`` (see :mod:`mmkd.store.codecs`).
        shard: ``(i, n)``: write the rows of shard ``i`` of ``n``.
        batch_size: samples per teacher batch (``batch_size * views`` views).
        num_workers: dataloader workers rendering the views.
        device: where the teacher runs.
        max_samples: stop after this many new samples (the next call resumes).
        info: kept in ``meta.json`` (dataset config, data root …).
        progress: show a progress bar.
    """
    from mmkd.models.teachers import read_normalization
    from mmkd.registry import build_mmkd_module
    from .writer import shard_range

    ids = dataset_sample_ids(dataset)
    if repeated(ids):
        raise ValueError(f'sample ids repeat in the dataset ({repeated(ids)[:5]}): a store needs '
                         'one id per sample. Extract the dataset inside RepeatDataset-like '
                         'wrappers, and give every sample an `img_path`.')
    rows = range(len(dataset))
    shard_info = None
    if shard is not None:
        rows = shard_range(len(dataset), *shard)
        shard_info = dict(index=shard[0], count=shard[1], total_samples=len(dataset))
    if view_independent:
        if views != 1 or mixing is not None:
            raise ValueError('a view-independent store holds one view and no mixing')
        replay = None
    else:
        replay = replay_settings(dataset, pipeline, base_seed, mixing)
    writer = TeacherStoreWriter(
        path, len(rows), make_fingerprint(teacher_cfg, 'any' if view_independent else pipeline),
        codecs=codecs, views=views, replay=replay, shard=shard_info,
        info=dict(info or {}, num_rows=len(dataset)))
    try:
        expected = [ids[row] for row in rows]
        if writer.written_ids() != expected[:writer.num_written]:
            raise RuntimeError(f'{path!r} was started on other samples (its ids differ from the '
                               "dataset's first rows); delete it or write elsewhere.")
        todo = list(rows)[writer.num_written:][:max_samples]
        if todo:
            teacher = build_mmkd_module(teacher_cfg)
            teacher.adapt_inputs(read_normalization(preprocessor))
            teacher.to(device)
            preprocessor = preprocessor.to(device)
            _run_teacher(writer, ViewItems(dataset, todo, views, base_seed, mixing), ids,
                         teacher, preprocessor, replay is not None, batch_size, num_workers,
                         progress)
    finally:
        complete = writer.close()
    return complete


def _run_teacher(writer: TeacherStoreWriter, items: ViewItems, ids: List[str], teacher: Any,
                 preprocessor: torch.nn.Module, store_replay: bool, batch_size: int,
                 num_workers: int, progress: bool) -> None:
    from tqdm import tqdm
    views = items.views
    loader = DataLoader(items, batch_size=batch_size * views, shuffle=False,
                        num_workers=num_workers, collate_fn=_collate)
    bar = tqdm(total=writer.meta['num_samples'], initial=writer.num_written, unit='sample',
               desc=f'teacher -> {writer.path}', file=sys.stdout, disable=not progress)
    done = 0
    for batch, replay in loader:
        count = len(replay) // views
        data = preprocessor(batch, training=False)
        outputs = teacher(data['inputs'], data['data_samples'])
        lead = (count, ) if views == 1 else (count, views)
        records = {name: _per_sample(name, value, len(replay)).reshape(*lead, *value.shape[1:])
                   for name, value in outputs.items()}
        if store_replay:
            records['replay.seed'] = np.array([r[0] for r in replay], np.int32).reshape(lead)
            records['replay.hash'] = np.array([r[1] for r in replay], np.uint32).reshape(lead)
            if items.mixing is not None:
                records.update({name: array.reshape(*lead, *array.shape[1:]) for name, array in
                                mix_arrays([r[2] for r in replay]).items()})
        writer.write([ids[row] for row in items.rows[done:done + count]], records)
        done += count
        bar.update(count)
    bar.close()


def _per_sample(name: str, value: Any, batch_size: int) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.shape[:1] != (batch_size, ):
        raise TypeError(f'teacher record {name!r} is not a [batch, ...] tensor '
                        f'({type(value).__name__}); a store holds one fixed-shape tensor per '
                        'sample: record another module (`records=`) or pool it.')
    return value.detach().cpu()
