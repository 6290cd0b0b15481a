"""The embedded demo: Hinton KD on real Fashion-MNIST, through tools/train.py and mmkd's configs.

1. the teacher (ResNet-18 w8) is trained on the first 10 000 labelled images;
2. for each seed, the student (ResNet-18 w4) is trained with cross-entropy on 1000 labelled images
   alone, and again with those labels plus Hinton KD on 10 000 unlabelled transfer images;
3. a table of teacher / student alone / distilled student top-1 accuracy (10 000 test images).

    python tools/demo/hinton_kd_fashion_mnist.py [--seeds 0 1 2] [--work-dir work_dirs/hinton_kd_demo]

Each run's full log is in its work dir; the table is also written to ``WORK_DIR/results.md``.
"""
import argparse
import glob
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import List, Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'hinton_kd')
TEACHER = osp.join(CONFIGS, 'resnet18-w8_fashion-mnist-10k_teacher.py')
STUDENT = osp.join(CONFIGS, 'resnet18-w4_fashion-mnist-1k_ce.py')
DISTILLED = osp.join(CONFIGS, 'kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k.py')


def final_accuracy(work_dir: str) -> float:
    """The last ``accuracy/top1`` MMEngine logged in ``work_dir``."""
    scalars = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not scalars:
        raise FileNotFoundError(f'no scalars.json under {work_dir}: did the run validate?')
    records = [json.loads(line) for line in open(scalars[-1]) if 'accuracy/top1' in line]
    return records[-1]['accuracy/top1']


def train(config: str, work_dir: str, options: List[str], label: str) -> float:
    """Run tools/train.py, log to ``work_dir/train.log``, return the final top-1 accuracy."""
    os.makedirs(work_dir, exist_ok=True)
    start = time.time()
    print(f'  {label:<40}', end='', flush=True)
    with open(osp.join(work_dir, 'train.log'), 'w') as log:
        proc = subprocess.run(
            [sys.executable, osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir,
             '--cfg-options', *options], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f'\n{label} failed: see {osp.join(work_dir, "train.log")}')
    accuracy = final_accuracy(work_dir)
    print(f'top-1 {accuracy:6.2f} %   ({time.time() - start:4.0f} s)')
    return accuracy


def mean_std(values: List[float]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f'{statistics.mean(values):.2f} ± {spread:.2f}'


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'hinton_kd_demo'))
    parser.add_argument('--data-root', default=osp.join(REPO, 'data', 'fashion_mnist'))
    args = parser.parse_args(argv)

    sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
    from prepare_fashion_mnist import prepare_fashion_mnist
    prepare_fashion_mnist(out=args.data_root)
    data = [f'{split}.dataset.data_root={args.data_root}'
            for split in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    kd_data = [f'train_dataloader.dataset.{part}.data_root={args.data_root}'
               for part in ('labeled', 'transfer')] + data[1:]
    start = time.time()
    print('mmkd demo: Hinton KD on Fashion-MNIST (teacher 10k labels; students 1k labels, '
          'distilled student + 10k unlabelled transfer images)')
    teacher_dir = osp.join(args.work_dir, 'teacher')
    teacher = train(TEACHER, teacher_dir, [*data, 'randomness.seed=0'], 'teacher (ResNet-18 w8)')
    teacher_ckpt = osp.join(teacher_dir, 'epoch_8.pth')
    alone, distilled = [], []
    for seed in args.seeds:
        alone.append(train(STUDENT, osp.join(args.work_dir, f'student_ce_seed{seed}'),
                           [*data, f'randomness.seed={seed}'],
                           f'student alone, seed {seed}'))
        distilled.append(train(DISTILLED, osp.join(args.work_dir, f'student_kd_seed{seed}'),
                               [*kd_data, f'randomness.seed={seed}',
                                f'model.teachers.resnet18_w8.checkpoint={teacher_ckpt}'],
                               f'distilled student, seed {seed}'))
    table = '\n'.join([
        f'| model (Fashion-MNIST test, top-1 %, seeds {args.seeds}) | accuracy |',
        '|---|---|',
        f'| teacher: ResNet-18 w8, 10k labels | {teacher:.2f} |',
        f'| student alone: ResNet-18 w4, 1k labels, CE | {mean_std(alone)} |',
        f'| distilled student: same + Hinton KD (T=2) on 10k unlabelled | {mean_std(distilled)} |',
        f'| gain from KD | {statistics.mean(distilled) - statistics.mean(alone):+.2f} |'])
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    print(f'\n{table}\n\ntotal time {time.time() - start:.0f} s; table saved to '
          f'{osp.join(args.work_dir, "results.md")}')


if __name__ == '__main__':
    main()
