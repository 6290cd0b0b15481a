"""Train a model (a distiller, or any plain OpenMMLab model) from a config.

    python tools/train.py configs/hinton_kd/kd_resnet18-cifar_lenet_fashion-mnist-transfer.py
    python tools/train.py CONFIG --resume [auto|CKPT] --amp --work-dir DIR --cfg-options k=v

Same flags as the train.py of mmpretrain / mmdet / mmseg; mmkd is imported first, so a config needs
no ``custom_imports`` when run from here. ``--amp`` uses :class:`mmkd.engine.AmpOptimWrapper`
(MMEngine's on a GPU; bfloat16 autocast on CPU, where MMEngine's refuses to build). A checkpoint the
run resumes or loads is checked before anything is built: a broken file is named with its role.
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner, find_latest_checkpoint

import mmkd  # noqa: F401  (registers mmkd's modules, makes resume work on torch >= 2.6)
from mmkd.utils.checkpoint import check_checkpoint_file


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train with mmkd')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from CKPT, or from the latest checkpoint in work_dir if no '
                        'CKPT is given')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--no-validate', action='store_true', help='skip validation')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual batch size')
    parser.add_argument('--no-pin-memory', action='store_true')
    parser.add_argument('--no-persistent-workers', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def apply_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Fold the command-line flags into the config."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp:
        cfg.optim_wrapper.type = 'mmkd.AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(split)
        if loader is None:
            continue
        workers = loader.get('num_workers', 0) > 0
        loader.setdefault('pin_memory', torch.cuda.is_available())
        loader.setdefault('persistent_workers', workers and not args.no_persistent_workers)
        if args.no_pin_memory:
            loader.pin_memory = False
        if args.no_persistent_workers or not workers:
            loader.persistent_workers = False
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def check_checkpoints_to_load(cfg: Config) -> None:
    """Fail before the run is built when the checkpoint it resumes from or loads is broken."""
    path, role = cfg.get('load_from'), 'resume checkpoint' if cfg.get('resume') else \
        'load_from checkpoint'
    if cfg.get('resume') and path is None:
        path = find_latest_checkpoint(cfg.work_dir)  # None: nothing to resume, a fresh start
        role = f'resume checkpoint (the latest in {cfg.work_dir})'
    if path and '://' not in str(path):
        check_checkpoint_file(str(path), role)


def setup_cpu_distributed(cfg: Config) -> None:
    """Let ``--launcher pytorch`` run on machines without CUDA (gloo, CPU DDP).

    MMEngine's pytorch launcher calls ``torch.cuda.set_device`` and its default DDP wrapper passes
    ``device_ids=[LOCAL_RANK]``; both fail without a GPU. Initialise the gloo process group here
    (the runner then skips its own init) and wrap with ``device_ids=None``, keeping MMEngine's
    defaults otherwise (``broadcast_buffers=False``, ``find_unused_parameters`` from the config).
    """
    if cfg.launcher != 'pytorch' or torch.cuda.is_available():
        return
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group(backend='gloo')
    if cfg.get('model_wrapper_cfg') is None and cfg.get('runner_type') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', device_ids=None, broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))


def main() -> None:
    args = parse_args()
    cfg = apply_args(Config.fromfile(args.config), args)
    check_checkpoints_to_load(cfg)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    runner.train()


if __name__ == '__main__':
    main()
