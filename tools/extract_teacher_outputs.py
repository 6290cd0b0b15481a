"""Run a teacher over a dataset once and write its outputs to a teacher store.

    # K = 8 replayable views of every training image, through the training pipeline
    python tools/extract_teacher_outputs.py CONFIG --views 8 --codec outputs=softmax_topk:10

    # one view through the config's `test_pipeline` (deterministic), or a pipeline of its own
    python tools/extract_teacher_outputs.py CONFIG --pipeline clip_pipeline

    # several processes: torchrun gives each rank a shard, rank 0 merges them
    torchrun --nproc_per_node 4 tools/extract_teacher_outputs.py CONFIG --views 8
    # or by hand (machines without a process group): one shard each, then one merge
    python tools/extract_teacher_outputs.py CONFIG --views 8 --shard 0/4   # ... up to 3/4
    python tools/extract_teacher_outputs.py CONFIG --views 8 --merge 4

The teacher is ``model.teachers[NAME]`` of a distiller config (for a ``StoreTeacher``, its live
``teacher``; its ``store`` is the default ``--out``), or the top-level ``teacher`` of any config.
The dataset is ``{split}_dataloader.dataset``; a ``TeacherReplayDataset`` there gives its inner
dataset, its ``store`` (default ``--out``) and its ``batch_augments`` (Mixup/CutMix drawn per view).
The batch goes through the student's data preprocessor and the teacher's input conversion, as in
training, so stored outputs equal what the live teacher computes in the distiller.

A killed run started again with the same arguments resumes (after the last written chunk, or
inside finishing); a second run on the same directory refuses at once, naming the first. See
:mod:`mmkd.store` and ``docs/teacher_store.md``.
"""
import argparse
import copy
import datetime
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import DATASETS, MODELS, init_default_scope

import mmkd  # noqa: F401  (registers mmkd's modules)
from mmkd.store import SampleMixing, TeacherStoreWriter, data_root_of, shard_range
from mmkd.store.extraction import extract_store


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Write a teacher store')
    parser.add_argument('config', help='a distiller config, or any config with `teacher=dict(...)`')
    parser.add_argument('--teacher', help='which of `model.teachers` (default: the only one)')
    parser.add_argument('--out', help='store directory (default: the StoreTeacher\'s `store`)')
    parser.add_argument('--split', default='train', choices=['train', 'val', 'test'],
                        help='whose dataloader\'s dataset to run over')
    parser.add_argument('--views', type=int,
                        help='K views per sample through the pipeline, each replayable from its '
                        'seed (a replay store); default 1')
    parser.add_argument('--pipeline',
                        help='the config variable holding the view pipeline; "dataset" keeps the '
                        'dataset\'s own (default: "dataset" with --views, else "test_pipeline")')
    parser.add_argument('--seed', type=int, default=0, help='base seed of the views')
    parser.add_argument('--view-independent', action='store_true',
                        help='declare that the outputs do not depend on the view (fingerprint '
                        "view='any'): the store then serves any training pipeline by sample id")
    parser.add_argument('--codec', nargs='+', default=[], metavar='RECORD=CODEC',
                        help='how to store records: raw, float16, softmax_topk:K (e.g. '
                        'outputs=softmax_topk:10 image_embeds=float16); default raw')
    parser.add_argument('--batch-size', type=int, default=64, help='samples per teacher batch')
    parser.add_argument('--num-workers', type=int, default=0)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--shard', help='i/n: write shard i of n into OUT/shards/')
    parser.add_argument('--merge', type=int, metavar='N',
                        help='merge the N finished shards of OUT/shards/ into OUT')
    parser.add_argument('--max-samples', type=int,
                        help='stop after this many new samples (the next run resumes)')
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


def only_pipeline(dataset_cfg: Any) -> list:
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


def parse_shard(text: str) -> Tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        raise ValueError(f'--shard {text!r}: expected i/n, e.g. 0/4') from None
    shard_range(1, index, count)  # validates
    return index, count


def parse_codecs(items: List[str]) -> Dict[str, str]:
    codecs = {}
    for item in items:
        record, sep, codec = item.partition('=')
        if not sep or not record:
            raise ValueError(f'--codec {item!r}: expected RECORD=CODEC, e.g. '
                             'outputs=softmax_topk:10')
        codecs[record] = codec
    return codecs


def shard_dir(out: str, index: int, count: int) -> str:
    return osp.join(out, 'shards', f'{index}-of-{count}')


def extract(args: argparse.Namespace, shard: Optional[Tuple[int, int]] = None) -> bool:
    """Write (or resume) the store, or shard ``shard`` of it; return whether it is complete."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    teacher_cfg, default_out, student_cfg = find_teacher(cfg, args.teacher)
    dataset_cfg = cfg[f'{args.split}_dataloader'].dataset.to_dict()
    mixing = None
    if dataset_cfg.get('type', '').split('.')[-1] == 'TeacherReplayDataset':
        default_out = default_out or dataset_cfg['store']
        if dataset_cfg.get('batch_augments'):
            mixing = SampleMixing(**dataset_cfg['batch_augments'])
        dataset_cfg = dataset_cfg['dataset']
    out = args.out or default_out
    if out is None:
        raise ValueError('give --out (the store directory)')
    if args.merge:
        merged = TeacherStoreWriter.merge(
            [shard_dir(out, i, args.merge) for i in range(args.merge)], out)
        print(f'merged {args.merge} shards into {out!r}: {len(merged)} samples')
        return True

    pipeline_key = args.pipeline or ('dataset' if args.views else 'test_pipeline')
    if pipeline_key != 'dataset':
        if pipeline_key not in cfg:
            raise KeyError(f'{args.config} has no `{pipeline_key}`; pass --pipeline NAME of the '
                           'view pipeline, or --pipeline dataset')
        dataset_cfg = with_pipeline(dataset_cfg, cfg[pipeline_key])
    pipeline = only_pipeline(dataset_cfg)
    dataset = DATASETS.build(dataset_cfg)
    preprocessor = MODELS.build(student_cfg).data_preprocessor
    if getattr(preprocessor, 'batch_augments', None) is not None and not args.view_independent:
        raise ValueError(f'{args.config}: the student\'s data preprocessor has batch_augments; a '
                         'replay store mixes per view: move them to '
                         "train_dataloader.dataset=dict(type='mmkd.TeacherReplayDataset', "
                         'batch_augments=..., ...) and remove them from the preprocessor.')
    if shard is None and args.shard:
        shard = parse_shard(args.shard)
    if shard is not None:
        out = shard_dir(out, *shard)
    complete = extract_store(
        out, dataset, pipeline, teacher_cfg, preprocessor, views=args.views or 1,
        base_seed=args.seed, mixing=mixing, view_independent=args.view_independent,
        codecs=parse_codecs(args.codec), shard=shard, batch_size=args.batch_size,
        num_workers=args.num_workers, device=args.device, max_samples=args.max_samples,
        info=dict(dataset=without_pipelines(dataset_cfg), data_root=data_root_of(dataset),
                  split=args.split, config=osp.abspath(args.config)))
    print(f'{out!r}: ' + ('complete' if complete else
                          'incomplete: run the same command again to resume'))
    return complete


def extract_distributed(args: argparse.Namespace) -> bool:
    """Under torchrun: rank r writes shard r of WORLD_SIZE, then rank 0 merges them."""
    import torch.distributed as dist
    if args.shard or args.merge:
        raise ValueError('under torchrun each rank writes its own shard: drop --shard / --merge')
    rank, world = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])
    if args.device.startswith('cuda'):
        args.device = f'cuda:{os.environ.get("LOCAL_RANK", 0)}'
    # one shard may take hours: the barrier waits for the slowest rank
    dist.init_process_group('nccl' if args.device.startswith('cuda') else 'gloo',
                            timeout=datetime.timedelta(days=7))
    try:
        done = extract(args, shard=(rank, world))
        if not all(_gather_flags(done)):
            return False
        if rank == 0:
            args.merge = world
            extract(args)
        dist.barrier()
        return True
    finally:
        dist.destroy_process_group()


def _gather_flags(flag: bool) -> List[bool]:
    import torch.distributed as dist
    flags = [None] * dist.get_world_size()
    dist.all_gather_object(flags, flag)
    return flags


def main() -> None:
    args = parse_args()
    if int(os.environ.get('WORLD_SIZE', '1')) > 1:
        extract_distributed(args)
    else:
        extract(args)


if __name__ == '__main__':
    main()
