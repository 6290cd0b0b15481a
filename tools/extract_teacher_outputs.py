"""Run a teacher over a dataset once and write its outputs to a teacher store.

    # the teacher `resnet50` of a distiller config, over its training set seen through the config's
    # deterministic `test_pipeline`
    python tools/extract_teacher_outputs.py CONFIG --teacher resnet50 --out work_dirs/stores/r50

    # four processes (machines, GPUs), one shard each, then one merge
    python tools/extract_teacher_outputs.py CONFIG --teacher resnet50 --out DIR --shard 0/4
    ...
    python tools/extract_teacher_outputs.py CONFIG --teacher resnet50 --out DIR --merge 4

The teacher is ``model.teachers[NAME]`` of a distiller config (for a ``StoreTeacher``, its live
``teacher``; its ``store`` is the default ``--out``), or the top-level ``teacher`` of any config.
The batch goes through the student's data preprocessor and the teacher's input conversion, as in
training, so stored outputs equal what the live teacher computes in the distiller.

A killed run started again with the same arguments resumes after the last written chunk; see
:class:`mmkd.datasets.TeacherStoreWriter`. Stored ids are :func:`mmkd.datasets.sample_id`.
"""
import argparse
import copy
import os.path as osp
import sys
from typing import Any, List, Optional, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, init_default_scope
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

import mmkd  # noqa: F401  (registers mmkd's modules)
from mmkd.datasets import (TeacherStoreWriter, make_fingerprint, sample_id,
                           shard_range)
from mmkd.models.teachers import read_normalization
from mmkd.registry import build_mmkd_module


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Write a teacher store')
    parser.add_argument('config', help='a distiller config, or any config with `teacher=dict(...)`')
    parser.add_argument('--teacher', help='which of `model.teachers` (default: the only one)')
    parser.add_argument('--out', help='store directory (default: the StoreTeacher\'s `store`)')
    parser.add_argument('--split', default='train', choices=['train', 'val', 'test'],
                        help='whose dataloader\'s dataset to run over')
    parser.add_argument('--pipeline', default='test_pipeline',
                        help='the config variable holding the view (a deterministic pipeline); '
                        '"dataset" keeps the dataset\'s own')
    parser.add_argument('--view-independent', action='store_true',
                        help='declare that the outputs do not depend on the view (fingerprint '
                        "view='any'): the store then serves any training pipeline")
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--num-workers', type=int, default=0)
    parser.add_argument('--dtype', default='float32', choices=['float16', 'float32'],
                        help='storage dtype of floating records')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--shard', help='i/n: write shard i of n into OUT/shards/')
    parser.add_argument('--merge', type=int, metavar='N',
                        help='merge the N finished shards of OUT/shards/ into OUT')
    parser.add_argument('--max-samples', type=int,
                        help='stop after this many new rows (the next run resumes)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def find_teacher(cfg: Config, name: Optional[str]) -> Tuple[dict, Optional[str], dict]:
    """``(teacher config, default store path, student config)`` from a distiller config or
    ``teacher=`` plus ``model=`` (the student) of any config."""
    if 'model' not in cfg:
        raise KeyError(f'{cfg.filename} has no `model`: the student (or distiller) whose data '
                       'preprocessor prepares the batch')
    model = cfg.model.to_dict()
    if 'teachers' in model:
        teachers = model['teachers']
        if name is None and len(teachers) != 1:
            raise ValueError(f'{cfg.filename}: pick one of the teachers {list(teachers)} with '
                             '--teacher')
        name = name or next(iter(teachers))
        if name not in teachers:
            raise KeyError(f'{cfg.filename}: no teacher {name!r}; teachers: {list(teachers)}')
        teacher, student = teachers[name], model['student']
    elif 'teacher' in cfg:
        teacher, student = cfg.teacher.to_dict(), model
    else:
        raise KeyError(f'{cfg.filename} has neither `model.teachers` nor `teacher`')
    store = None
    if teacher.get('type', '').split('.')[-1] == 'StoreTeacher':
        if teacher.get('teacher') is None:
            raise ValueError(f'{cfg.filename}: StoreTeacher {name!r} has no live `teacher` to run')
        store, teacher = teacher['store'], teacher['teacher']
    if cfg.get('data_preprocessor') is not None:
        student.setdefault('data_preprocessor', cfg.data_preprocessor.to_dict())
    return teacher, store, student


def with_pipeline(dataset_cfg: Any, pipeline: list) -> Any:
    """The dataset config with ``pipeline`` set in it and every dataset it wraps."""
    if isinstance(dataset_cfg, dict):
        dataset_cfg = {key: with_pipeline(value, pipeline) for key, value in dataset_cfg.items()}
        if 'pipeline' in dataset_cfg:
            dataset_cfg['pipeline'] = copy.deepcopy(pipeline)
    elif isinstance(dataset_cfg, list):
        dataset_cfg = [with_pipeline(value, pipeline) for value in dataset_cfg]
    return dataset_cfg


def without_pipelines(dataset_cfg: Any) -> Any:
    """The dataset config minus its pipelines: what the store's rows are (kept in its info)."""
    if isinstance(dataset_cfg, dict):
        return {k: without_pipelines(v) for k, v in dataset_cfg.items() if k != 'pipeline'}
    if isinstance(dataset_cfg, list):
        return [without_pipelines(v) for v in dataset_cfg]
    return dataset_cfg


def data_root_of(dataset: Any) -> Optional[str]:
    """The data root sample ids are relative to (the first wrapped dataset's for wrappers)."""
    while getattr(dataset, 'data_root', None) is None:
        wrapped = getattr(dataset, 'datasets', None) or [None]
        inner = getattr(dataset, 'dataset', None) or wrapped[0]
        if inner is None:
            return None
        dataset = inner
    return dataset.data_root


def parse_shard(text: str) -> Tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        raise ValueError(f'--shard {text!r}: expected i/n, e.g. 0/4') from None
    shard_range(1, index, count)  # validates
    return index, count


def extract(args: argparse.Namespace) -> bool:
    """Write (or resume) the store; return whether it is complete."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    teacher_cfg, default_out, student_cfg = find_teacher(cfg, args.teacher)
    out = args.out or default_out
    if out is None:
        raise ValueError('give --out (the store directory)')
    if args.merge:
        shards = [osp.join(out, 'shards', f'{i}-of-{args.merge}') for i in range(args.merge)]
        store = TeacherStoreWriter.merge(shards, out)
        print(f'merged {args.merge} shards into {out!r}: {len(store)} samples')
        return True

    dataset_cfg = cfg[f'{args.split}_dataloader'].dataset.to_dict()
    if args.pipeline != 'dataset':
        if args.pipeline not in cfg:
            raise KeyError(f'{args.config} has no `{args.pipeline}`; pass --pipeline NAME of the '
                           'deterministic pipeline, or --pipeline dataset')
        dataset_cfg = with_pipeline(dataset_cfg, cfg[args.pipeline])
    dataset = DATASETS.build(dataset_cfg)
    view = 'any' if args.view_independent else _only_pipeline(dataset_cfg)
    data_root = data_root_of(dataset)
    rows = range(len(dataset))
    shard = None
    if args.shard:
        index, count = parse_shard(args.shard)
        rows = shard_range(len(dataset), index, count)
        shard = dict(index=index, count=count, total_samples=len(dataset))
        out = osp.join(out, 'shards', f'{index}-of-{count}')
    ids = [sample_id(dataset.get_data_info(i), data_root) for i in rows]
    if len(set(ids)) != len(ids):
        seen = set()
        repeated = [i for i in ids if i in seen or seen.add(i)]
        raise ValueError(f'{args.config}: sample ids repeat ({repeated[:5]}); the store needs one '
                         'id per sample (give every sample an `img_path`).')

    writer = TeacherStoreWriter(
        out, len(rows), make_fingerprint(teacher_cfg, view), dtype=args.dtype, shard=shard,
        info=dict(dataset=without_pipelines(dataset_cfg), data_root=data_root, split=args.split,
                  config=osp.abspath(args.config)))
    if writer.written_ids() != ids[:writer.num_written]:
        raise RuntimeError(f'{out!r} was started on other samples (its ids differ from the '
                           "dataset's first rows); delete it or write elsewhere.")
    todo = list(rows)[writer.num_written:][:args.max_samples]
    if todo:
        run_teacher(writer, dataset, todo, ids[writer.num_written:], teacher_cfg, student_cfg,
                    data_root, args)
    complete = writer.close()
    print(f'{out!r}: {writer.num_written}/{len(rows)} samples'
          + ('' if complete else ' (incomplete: run the same command again to resume)'))
    return complete


def _only_pipeline(dataset_cfg: Any) -> list:
    """The one pipeline of a (possibly wrapping) dataset config."""
    found = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if 'pipeline' in node:
                found.append(node['pipeline'])
            for key, value in node.items():
                if key != 'pipeline':
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(dataset_cfg)
    if not found or any(p != found[0] for p in found):
        raise ValueError('the dataset must have one pipeline (wrapped datasets: the same one); '
                         'pass --pipeline NAME')
    return found[0]


@torch.no_grad()
def run_teacher(writer: TeacherStoreWriter, dataset: Any, rows: List[int], ids: List[str],
                teacher_cfg: dict, student_cfg: dict, data_root: Optional[str],
                args: argparse.Namespace) -> None:
    """Feed ``rows`` through the student's preprocessing and the teacher, one chunk per batch."""
    preprocessor = MODELS.build(student_cfg).data_preprocessor.to(args.device)
    teacher = build_mmkd_module(teacher_cfg)
    teacher.adapt_inputs(read_normalization(preprocessor))
    teacher.to(args.device)
    loader = DataLoader(Subset(dataset, rows), batch_size=args.batch_size, shuffle=False,
                        num_workers=args.num_workers, collate_fn=pseudo_collate)
    progress = tqdm(total=writer.meta['num_samples'], initial=writer.num_written, unit='sample',
                    desc=f'teacher -> {writer.path}', file=sys.stdout)
    done = 0
    for batch in loader:
        data = preprocessor(batch, training=False)
        batch_ids = [sample_id(sample, data_root) for sample in data['data_samples']]
        if batch_ids != ids[done:done + len(batch_ids)]:
            raise RuntimeError(f'the pipeline changed the sample ids: {batch_ids[:3]} vs '
                               f'{ids[done:done + 3]}')
        outputs = teacher(data['inputs'], data['data_samples'])
        writer.write(batch_ids, {name: _per_sample(name, value, len(batch_ids))
                                 for name, value in outputs.items()})
        done += len(batch_ids)
        progress.update(len(batch_ids))
    progress.close()


def _per_sample(name: str, value: Any, batch_size: int) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.shape[:1] != (batch_size, ):
        raise TypeError(f'teacher record {name!r} is not a [batch, ...] tensor '
                        f'({type(value).__name__}); a store holds one fixed-shape tensor per '
                        'sample: record another module (`records=`) or pool it.')
    return value


def main() -> None:
    extract(parse_args())


if __name__ == '__main__':
    main()
