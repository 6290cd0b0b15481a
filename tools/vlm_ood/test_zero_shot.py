"""Evaluate a vision-language teacher zero-shot (a ``ZeroShotClassifier`` config): no checkpoint,
the teacher's own weights.

    python tools/vlm_ood/test_zero_shot.py \
        configs/vlm_ood/zero-shot_two-tower-lite0-minilm_fashion-mnist-id-ood.py \
        [--work-dir DIR] [--cfg-options k=v]
"""
import argparse
import json
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import mmkd  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--work-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.model.get('type') not in ('ZeroShotClassifier', 'mmkd.ZeroShotClassifier'):
        raise ValueError(f'{args.config}: model must be a ZeroShotClassifier')
    cfg.work_dir = args.work_dir or osp.join('work_dirs',
                                             osp.splitext(osp.basename(args.config))[0])
    for key in ('load_from', 'train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler',
                'val_dataloader', 'val_cfg', 'val_evaluator'):
        cfg.pop(key, None)
    metrics = Runner.from_cfg(cfg).test()
    print(json.dumps(metrics))


if __name__ == '__main__':
    main()
