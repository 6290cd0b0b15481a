"""L2D on the Fashion-tile multi-label set: BCE only vs MLD, LED and both, with L2D's loss weights
and with weights sized for this set, over paired seeds (``mmkd.utils.seeded_comparison``).

The teacher (ResNet-18 width 16, ML-Decoder head) trains on 4000 canvases; each student (width 8)
trains on the first 1000 of them for ``--epochs`` epochs (60: long enough for the student to fit
its 1000 canvases, where a teacher's soft targets can show; 15 leaves the students undertrained and
seed-dominated). Every run is ``tools/train.py`` on a config of ``configs/l2d/``::

    nice -n 10 python projects/l2d/run_fashion_tiles.py [--seeds 0 1 2 3 4] [--jobs 2]

writes ``--out``/{map,cf1,of1_oracle_k}.md, .json and .png (per-seed differences to BCE only, 95 %
intervals).
"""
import argparse
import os
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmkd.utils.seeded_comparison import Row, paired_table, plot_seeds, run_rows  # noqa: E402

CONFIGS = 'configs/l2d'
TEACHER = f'{CONFIGS}/resnet18-w16_mldecoder_fashion-tiles.py'
STUDENT = f'{CONFIGS}/resnet18-w8_mldecoder_fashion-tiles-1k.py'
MLD = f'{CONFIGS}/mld_resnet18-w16-to-w8_fashion-tiles-1k.py'
LED = f'{CONFIGS}/led_resnet18-w16-to-w8_fashion-tiles-1k.py'
L2D = f'{CONFIGS}/l2d_resnet18-w16-to-w8_fashion-tiles-1k.py'
# L2D's weights: MLD x10 averaged over the batch, LED x1 (lambda_le); the configs' LED is 0.01.
PAPER_LED = {'model.distill_losses.loss_led.loss_weight': 1.0}
# Sized for this set: MLD summed over the batch like the summed BCE (x64), LED at 0.01.
OURS_MLD = {'model.distill_losses.loss_mld.reduction': 'sum',
            'model.distill_losses.loss_mld.loss_weight': 1.0}
METRIC = 'multi-label/mAP'
METRICS = dict(map=(METRIC, 'val mAP %'),
               cf1=('multi-label/f1-score', 'val CF1 % at threshold 0.5'),
               of1_oracle_k=('oracle-top-k/OF1', 'val OF1 % (oracle top-k, L2D\'s F1)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--epochs', type=int, default=60, help='student epochs')
    parser.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                        help='student trainings at a time, one thread each')
    parser.add_argument('--work-dir', default='work_dirs/l2d_fashion_tiles')
    parser.add_argument('--data-root', default='data/fashion_tiles',
                        help='made with 4000 / 1000 canvases if missing')
    parser.add_argument('--out', default='projects/l2d/results')
    args = parser.parse_args()
    os.chdir(REPO)
    if not osp.isfile(osp.join(args.data_root, 'annotations', 'multilabel_val.json')):
        sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
        from make_fashion_tiles import make_fashion_tiles
        make_fashion_tiles(args.data_root, num_train=4000, num_val=1000)
    data = {f'{loader}.dataset.data_root': args.data_root
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    env = {'OMP_NUM_THREADS': '1'}  # small convolutions: one thread is fastest on a shared CPU
    teacher = run_rows([Row('teacher', TEACHER, data)], [0], args.work_dir, METRIC, env=env)
    schedule = {'train_cfg.max_epochs': args.epochs, 'train_cfg.val_interval': args.epochs,
                'param_scheduler.total_steps': args.epochs,
                'default_hooks.checkpoint.interval': args.epochs}
    student = dict(data, **schedule)
    kd = dict(student, **{'model.teachers.teacher.checkpoint':
                          osp.join(teacher['teacher'][0].run_dir, 'epoch_10.pth')})
    rows = [
        Row('BCE only', STUDENT, student),
        Row('MLD, L2D weight', MLD, kd),
        Row('LED, L2D weight', LED, dict(kd, **PAPER_LED)),
        Row('MLD + LED, L2D weights', L2D, dict(kd, **PAPER_LED)),
        Row('MLD, ours', MLD, dict(kd, **OURS_MLD)),
        Row('LED, ours', LED, kd),
        Row('MLD + LED, ours', L2D, dict(kd, **OURS_MLD)),
    ]
    results = run_rows(rows, args.seeds, args.work_dir, METRIC, env=env, jobs=args.jobs)
    os.makedirs(args.out, exist_ok=True)
    for name, (metric, label) in METRICS.items():
        table = paired_table(results, metric, baseline='BCE only', label=label)
        teacher_value = teacher['teacher'][0].metrics[metric]
        table.markdown = (f'teacher (width 16, all 4000 canvases, seed 0): {teacher_value:.2f}; '
                          f'students: {args.epochs} epochs on the first 1000\n\n{table.markdown}')
        table.data['teacher'] = teacher_value
        table.write(osp.join(args.out, name))
        plot_seeds(results, metric, osp.join(args.out, f'{name}.png'), baseline='BCE only',
                   label=label, title=f'L2D on Fashion tiles ({args.epochs} epochs, 1000 '
                   'canvases): per seed and mean')
        print(f'\n{table.markdown}')
    print(f'\ntrainings {table.data["wall_s"]:.0f} s wall, {table.data["cpu_s"]:.0f} s CPU')

if __name__ == '__main__':
    main()
