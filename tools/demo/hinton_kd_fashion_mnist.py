"""The embedded demo: Hinton KD on real Fashion-MNIST, through tools/train.py and mmkd's configs.

1. the teacher (ResNet-18 w8) is trained on the first 10 000 labelled images (4 epochs);
2. for each seed, the student (ResNet-18 w4) is trained with cross-entropy on 1000 labelled images
   alone, and again with those labels plus Hinton KD on 10 000 unlabelled transfer images;
3. a table of teacher / student alone / distilled student top-1 accuracy (10 000 test images) with
   the per-seed gains and their 95 % interval, and two figures: every seed's accuracy, and the
   test accuracy during training of the student alone vs distilled (from MMEngine's scalars).

    python tools/demo/hinton_kd_fashion_mnist.py [--seeds 0 1 2] [--work-dir DIR] [--jobs N]

The student runs go ``--jobs`` at a time (default: 2, or 1 on a one-core machine), one thread
each; the teacher alone gets all of them.

Each run's log is in its work dir; finished runs are reused when the demo is run again (delete the
work dir to start over). The table goes to ``WORK_DIR/results.md`` (+ ``.json``), the figures to
``WORK_DIR/seeds.png`` and ``WORK_DIR/curves.png``.
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import List, Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmkd.utils.seeded_comparison import (Row, paired_table, plot_curves,  # noqa: E402
                                          plot_seeds, run_rows)

CONFIGS = osp.join(REPO, 'configs', 'hinton_kd')
TEACHER = osp.join(CONFIGS, 'resnet18-w8_fashion-mnist-10k_teacher.py')
STUDENT = osp.join(CONFIGS, 'resnet18-w4_fashion-mnist-1k_ce.py')
DISTILLED = osp.join(CONFIGS, 'kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k.py')
METRIC = 'accuracy/top1'


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'hinton_kd_demo'))
    parser.add_argument('--data-root', default=osp.join(REPO, 'data', 'fashion_mnist'))
    parser.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                        help='student runs at a time, one thread each')
    args = parser.parse_args(argv)

    sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
    from prepare_fashion_mnist import prepare_fashion_mnist
    prepare_fashion_mnist(out=args.data_root)
    data = {f'{split}.dataset.data_root': args.data_root
            for split in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    kd_data = {f'train_dataloader.dataset.{part}.data_root': args.data_root
               for part in ('labeled', 'transfer')}
    kd_data.update({key: value for key, value in data.items() if 'train' not in key})
    start = time.time()
    print('mmkd demo: Hinton KD on Fashion-MNIST (teacher 10k labels; students 1k labels, '
          'distilled student + 10k unlabelled transfer images)')
    teacher = run_rows([Row('teacher', TEACHER, data)], [0], args.work_dir, METRIC,
                       env={'OMP_NUM_THREADS': str(args.jobs)})['teacher'][0]
    checkpoint = osp.join(teacher.run_dir, 'epoch_4.pth')
    alone = 'student alone: ResNet-18 w4, 1k labels, CE'
    distilled = 'distilled: same + Hinton KD (T=2) on 10k unlabelled'
    results = run_rows(
        [Row(alone, STUDENT, data),
         Row(distilled, DISTILLED,
             dict(kd_data, **{'model.teachers.resnet18_w8.checkpoint': checkpoint}))],
        args.seeds, args.work_dir, METRIC, env={'OMP_NUM_THREADS': '1'}, jobs=args.jobs)
    table = paired_table(results, METRIC, baseline=alone, label='test top-1 %')
    markdown = (f'teacher (ResNet-18 w8, 10k labels, seed 0): {teacher.metrics[METRIC]:.2f} % '
                f'test top-1\n\n{table.markdown}')
    table.data['teacher'] = teacher.metrics[METRIC]
    table.markdown = markdown
    table.write(osp.join(args.work_dir, 'results'))
    plot_seeds(results, METRIC, osp.join(args.work_dir, 'seeds.png'), baseline=alone,
               label='test top-1 %', title='Hinton KD on Fashion-MNIST: per seed and mean')
    plot_curves(results, METRIC, osp.join(args.work_dir, 'curves.png'), label='test top-1 %',
                title='test accuracy during training (alone: every 10th epoch; distilled: every '
                      'epoch)')
    cpu = teacher.cpu_s + table.data['cpu_s']
    print(f'\n{markdown}\n\ntotal time {time.time() - start:.0f} s (trainings: {cpu:.0f} s CPU); '
          f'table, figures and logs in '
          f'{args.work_dir} (results.md, seeds.png, curves.png)')


if __name__ == '__main__':
    main()
