"""Does a replay store distil as well as the live teacher? Hinton KD on Fashion-MNIST, augmented.

The protocol of configs/hinton_kd/ (teacher ResNet-18 w8 on 10 000 labels; student w4 with 1000
labels + KD at T = 2 on 10 000 unlabelled transfer images) with a random crop + flip training view:

1. the teacher is trained once (seed 0), its config and schedule as in configs/hinton_kd/;
2. replay stores of K = 4 and K = 8 views of the 11 000 training images are extracted with
   ``tools/extract_teacher_outputs.py`` (top-10 of 10 classes: the whole distribution, fp16);
3. rows, paired over seeds: the live teacher on every augmented batch (baseline), the replay
   store with K = 4, and with K = 8; each run's top-1 on the 10 000 test images and its CPU time.

    python tools/analysis/replay_store_accuracy.py [--seeds 0 1 2] [--work-dir DIR]

Writes ``WORK_DIR/replay_accuracy.{md,json,png}``; every run is resumable
(mmkd.utils.seeded_comparison).
"""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys
from typing import List, Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
CONFIGS = osp.join(REPO, 'configs')
TEACHER = osp.join(CONFIGS, 'hinton_kd', 'resnet18-w8_fashion-mnist-10k_teacher.py')
LIVE = osp.join(CONFIGS, 'teacher_store',
                'kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k_crop-flip.py')
REPLAY = osp.join(CONFIGS, 'teacher_store',
                  'kd-replay_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k_crop-flip.py')
METRIC = 'accuracy/top1'


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--views', type=int, nargs='+', default=[4, 8])
    parser.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'replay_accuracy'))
    args = parser.parse_args(argv)
    from mmkd.utils.seeded_comparison import Row, paired_table, plot_seeds, run_rows
    sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
    from prepare_fashion_mnist import prepare_fashion_mnist
    data_root = prepare_fashion_mnist(out=osp.join(args.work_dir, 'fashion_mnist'))
    data = {f'{split}.dataset.data_root': data_root
            for split in ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    env = dict(OMP_NUM_THREADS='1')

    teacher = run_rows([Row('teacher', TEACHER, data)], [0], args.work_dir, METRIC, env=env)
    teacher_run = teacher['teacher'][0].run_dir
    checkpoint = max(glob.glob(osp.join(teacher_run, 'epoch_*.pth')),
                     key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0]))
    kd = {f'train_dataloader.dataset.{part}.data_root': data_root
          for part in ('labeled', 'transfer')}
    kd.update({key: value for key, value in data.items() if 'train' not in key})
    kd['model.teachers.resnet18_w8.checkpoint'] = checkpoint
    rows = [Row('live teacher', LIVE, kd)]
    for views in args.views:
        store = osp.join(args.work_dir, 'stores', f'k{views}')
        replay = {key.replace('train_dataloader.dataset.', 'train_dataloader.dataset.dataset.'):
                  value for key, value in kd.items()
                  if not key.startswith('model.')}
        replay.update({'train_dataloader.dataset.store': store,
                       'model.teachers.resnet18_w8.store': store,
                       'model.teachers.resnet18_w8.teacher.checkpoint': checkpoint})
        subprocess.run([sys.executable, osp.join(REPO, 'tools', 'extract_teacher_outputs.py'),
                        REPLAY, '--views', str(views), '--codec', 'outputs=softmax_topk:10',
                        '--batch-size', '128', '--cfg-options',
                        *(f'{key}={value}' for key, value in replay.items())],
                       check=True, cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO, **env))
        rows.append(Row(f'replay store, K = {views}', REPLAY, replay))
    results = run_rows(rows, args.seeds, args.work_dir, METRIC, env=env)
    table = paired_table(results, METRIC, baseline='live teacher', label='top-1 %')
    prefix = osp.join(args.work_dir, 'replay_accuracy')
    table.write(prefix)
    plot_seeds(results, METRIC, prefix + '.png', baseline='live teacher', label='top-1 %',
               title='Hinton KD, Fashion-MNIST, crop + flip: live teacher vs replay store')
    cpu = {name: sum(r.cpu_s for r in runs.values()) / len(runs) for name, runs in results.items()}
    costs = ['| row | CPU s per training run (mean) | vs live teacher |', '|---|---:|---:|']
    costs += [f'| {name} | {seconds:.0f} | {seconds / cpu["live teacher"]:.3f} |'
              for name, seconds in cpu.items()]
    with open(prefix + '.md', 'a') as f:
        f.write('\n' + '\n'.join(costs) + '\n')
    print(f'teacher (seed 0): top-1 {teacher["teacher"][0].metrics[METRIC]:.2f} %\n\n'
          f'{table.markdown}\n\n' + '\n'.join(costs))


if __name__ == '__main__':
    main()
