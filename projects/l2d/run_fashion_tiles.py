"""L2D on the Fashion-tile multi-label set: teacher, then BCE-only, MLD and MLD+LED students.

The teacher (ResNet-18 width 16, ML-Decoder head) trains on 4000 canvases; each student (width 8)
trains on the first 1000 of them, with BCE only, BCE + MLD, or BCE + MLD + LED, for every seed;
then MLD and MLD + LED again with MLD summed over the batch like BCE (see ``STUDENTS``).
Every run is a plain MMEngine ``Runner`` on the configs in ``configs/l2d/``; the metrics of the
final validation (1000 canvases) go to ``<work-dir>/<run>/metrics.json``, so a killed script
resumes where it stopped. The table of means ± standard deviations over the seeds is printed and
written to ``<work-dir>/table.md``::

    OMP_NUM_THREADS=1 python projects/l2d/run_fashion_tiles.py --work-dir work_dirs/l2d_tiles
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
from typing import Dict, List, Optional

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'l2d')
TEACHER = 'resnet18-w16_mldecoder_fashion-tiles.py'
# name -> (config, extra config options, work-dir tag). L2D's weighting gives MLD 10/64 of the
# summed BCE's weight per image; the "x64" rows sum MLD over the batch like BCE (equal weights).
MLD_X64 = {'model.distill_losses.loss_mld.reduction': 'sum',
           'model.distill_losses.loss_mld.loss_weight': 1.0}
STUDENTS = {
    'BCE only': ('resnet18-w8_mldecoder_fashion-tiles-1k.py', {}, ''),
    'MLD': ('mld_resnet18-w16-to-w8_fashion-tiles-1k.py', {}, ''),
    'MLD + LED (L2D)': ('l2d_resnet18-w16-to-w8_fashion-tiles-1k.py', {}, ''),
    'MLD x64': ('mld_resnet18-w16-to-w8_fashion-tiles-1k.py', MLD_X64, '_x64'),
    'MLD x64 + LED': ('l2d_resnet18-w16-to-w8_fashion-tiles-1k.py', MLD_X64, '_x64'),
}
COLUMNS = {
    'mAP': 'multi-label/mAP',
    'CF1@0.5': 'multi-label/f1-score',
    'OF1@0.5': 'multi-label/f1-score_micro',
    'CF1 oracle-k': 'oracle-top-k/CF1',
    'OF1 oracle-k': 'oracle-top-k/OF1',
}


class KeepMetrics(Hook):
    """Keeps the metrics of the last validation."""

    def __init__(self):
        self.metrics: Dict[str, float] = {}

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        self.metrics = dict(metrics or {})


def train(config: str, work_dir: str, seed: int, data_root: str,
          cfg_options: Optional[dict] = None) -> Dict[str, float]:
    """Train one config (or read the metrics of a finished run) and return its final metrics."""
    metrics_file = osp.join(work_dir, 'metrics.json')
    if osp.isfile(metrics_file):
        with open(metrics_file) as f:
            return json.load(f)
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    options = {f'{loader}.dataset.data_root': data_root
               for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    cfg.merge_from_dict(dict(options, **(cfg_options or {})))
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    keep = KeepMetrics()
    runner.register_hook(keep)
    runner.train()
    os.makedirs(work_dir, exist_ok=True)
    with open(metrics_file + '.tmp', 'w') as f:
        json.dump(keep.metrics, f, indent=1)
    os.replace(metrics_file + '.tmp', metrics_file)
    return keep.metrics


def make_table(results: Dict[str, List[Dict[str, float]]]) -> str:
    lines = ['| model | runs | ' + ' | '.join(COLUMNS) + ' |',
             '|---|---|' + '---|' * len(COLUMNS)]
    for name, runs in results.items():
        cells = []
        for key in COLUMNS.values():
            values = [run[key] for run in runs]
            spread = f' ± {statistics.stdev(values):.1f}' if len(values) > 1 else ''
            cells.append(f'{statistics.mean(values):.1f}{spread}')
        lines.append(f'| {name} | {len(runs)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/l2d_fashion_tiles')
    parser.add_argument('--data-root', default='data/fashion_tiles',
                        help='made with 4000 / 1000 canvases if missing')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    args = parser.parse_args()
    torch.set_num_threads(1)  # small convolutions: one thread is fastest on a shared CPU

    if not osp.isfile(osp.join(args.data_root, 'annotations', 'multilabel_val.json')):
        sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
        from make_fashion_tiles import make_fashion_tiles
        make_fashion_tiles(args.data_root, num_train=4000, num_val=1000)

    teacher_dir = osp.join(args.work_dir, 'teacher')
    results = {'teacher (all 4000)': [train(TEACHER, teacher_dir, 0, args.data_root)]}
    teacher_checkpoint = osp.join(teacher_dir, 'epoch_10.pth')
    for name, (config, options, tag) in STUDENTS.items():
        results[name] = []
        if name != 'BCE only':
            options = dict(options, **{'model.teachers.teacher.checkpoint': teacher_checkpoint})
        for seed in args.seeds:
            work_dir = osp.join(args.work_dir, f'{osp.splitext(config)[0]}{tag}_seed{seed}')
            results[name].append(train(config, work_dir, seed, args.data_root, options))
            print(f'{name}, seed {seed}: mAP {results[name][-1][COLUMNS["mAP"]]:.2f}', flush=True)

    table = make_table(results)
    with open(osp.join(args.work_dir, 'table.md'), 'w') as f:
        f.write(table + '\n')
    print(table)


if __name__ == '__main__':
    main()
