"""The full-scale configs carry the papers' settings, pinned row by row against the specs.

Each table row is ``(key, expected, spec section, which configs)``: the dotted key of the resolved
config (list items by index), the value the original code uses (or, where mmkd deviates on
purpose, the deviation listed in the project README's "Differences from the released code"), and
the section of ``shared/spec/<method>.md`` that states it. A config edit that drifts from the paper
fails here, every drifting row listed. The schedules are also stepped epoch by epoch and compared
with the original's formulas, and a few cheap builds check what a config value alone cannot
(RandAugment's semantics, a frozen backbone, the CLIP view's size).
"""
import glob
import math
import os.path as osp
from functools import lru_cache
from typing import Any, Callable, List, NamedTuple

import numpy as np
import pytest
import torch
from mmengine.config import Config

import mmkd  # noqa: F401
from mmkd_test_helpers import REPO


class Row(NamedTuple):
    key: str
    expected: Any
    spec: str
    applies: Callable[[str], bool] = lambda name: True


def configs(pattern: str) -> List[str]:
    return sorted(osp.basename(p) for p in glob.glob(osp.join(REPO, 'configs', pattern)))


def plain(value: Any) -> Any:
    """Config values as plain lists / dicts, without the `_scope_` keys package bases add."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@lru_cache(maxsize=None)
def resolved(folder: str, name: str) -> dict:
    return plain(Config.fromfile(osp.join(REPO, 'configs', folder, name)).to_dict())


MISSING = object()


#: Wrappers that serve a recipe's own part from a teacher store: a replay config keeps the
#: paper's settings in the wrapped dataset / teacher, so the lookup looks through them.
STORE_WRAPPERS = {'mmkd.TeacherReplayDataset': 'dataset', 'StoreTeacher': 'teacher'}


def unwrapped(node: Any) -> Any:
    while isinstance(node, dict) and node.get('type') in STORE_WRAPPERS:
        node = node[STORE_WRAPPERS[node['type']]]
    return node


def lookup(cfg: dict, key: str) -> Any:
    node = cfg
    for part in key.split('.'):
        if not (isinstance(node, dict) and part in node):
            node = unwrapped(node)
        if isinstance(node, list) and part.lstrip('-').isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return MISSING
    return node


def drift(folder: str, name: str, rows: List[Row]) -> List[str]:
    cfg = resolved(folder, name)
    lines = []
    for row in rows:
        if not row.applies(name):
            continue
        got = lookup(cfg, row.key)
        if got is MISSING or plain(row.expected) not in (got, unwrapped(got)):
            lines.append(f'  {row.key} = {"<missing>" if got is MISSING else got!r}, the paper '
                         f'({row.spec}): {plain(row.expected)!r}')
    return lines


def assert_no_drift(folder, name, rows):
    lines = drift(folder, name, rows)
    assert not lines, f'configs/{folder}/{name} drifts from the paper:\n' + '\n'.join(lines)


IMAGENET_NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
CLIP_NORM = dict(mean=[122.771, 116.746, 104.094], std=[68.501, 66.632, 70.323], to_rgb=True)

# --------------------------------------------------------------------------------------- L2D
L2D = configs('l2d/*224px.py')
teacher, student, l2d = (lambda n: n.startswith('resnet101'), lambda n: n.startswith('resnet34'),
                         lambda n: n.startswith('l2d_'))
model = lambda n: 'model.student' if l2d(n) else 'model'  # noqa: E731
L2D_TRAIN = [
    dict(type='LoadImageFromFile'), dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Cutout', shape=112, pad_val=(124, 116, 104), prob=1.0),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std='inf',
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    dict(type='PackInputs')]
L2D_TEST = [dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(224, 224), keep_ratio=False), dict(type='PackInputs')]
L2D_ROWS = [
    Row('train_dataloader.batch_size', 64, 'l2d §6 loaders, §7 batch'),
    Row('train_dataloader.drop_last', True, 'l2d §6 loaders'),
    Row('train_dataloader.num_workers', 8, 'l2d §6 loaders'),
    Row('train_dataloader.dataset.pipeline', L2D_TRAIN, 'l2d §6 common transforms (CutoutPIL '
        'on every image; RandAugment and the grey fill: README differences)'),
    Row('val_dataloader.dataset.pipeline', L2D_TEST, 'l2d §6 test'),
    Row('data_preprocessor.mean', IMAGENET_NORM['mean'], 'l2d §10 pipeline (README difference: '
        'the original feeds [0, 1] images)'),
    Row('data_preprocessor.std', IMAGENET_NORM['std'], 'l2d §10 pipeline'),
    Row('optim_wrapper.type', 'AmpOptimWrapper', 'l2d §7 fp16 autocast + GradScaler'),
    Row('optim_wrapper.dtype', 'float16', 'l2d §7 AMP'),
    Row('optim_wrapper.optimizer', dict(type='Adam', lr=1e-4, betas=(0.9, 0.999),
                                        weight_decay=1e-4), 'l2d §7 optimiser'),
    Row('optim_wrapper.paramwise_cfg.flat_decay_mult', 0.0, 'l2d §7 wd on >= 2-dim params'),
    Row('param_scheduler', dict(type='OneCycleLR', eta_max=1e-4, total_steps=80, pct_start=0.2,
                                anneal_strategy='cos', div_factor=25, final_div_factor=1e4,
                                by_epoch=True, convert_to_iter_based=True),
        'l2d §7 OneCycleLR over 80 epochs, stepped every iteration'),
    Row('train_cfg.max_epochs', 30, 'l2d §7 teacher: 30 of the 80-epoch cycle', teacher),
    Row('train_cfg.max_epochs', 80, 'l2d §7 student: 80 epochs', lambda n: not teacher(n)),
    Row('randomness.seed', 0, 'l2d §7 seed 0'),
    Row('auto_scale_lr.enable', False, 'l2d §7 batch 64 (global; projects/l2d README multi-GPU)'),
    Row('model.backbone.depth', 101, 'l2d §7 ResNet-101 teacher', teacher),
    Row('model.backbone.depth', 34, 'l2d §7 ResNet-34 student', student),
    Row('model.student.backbone.depth', 34, 'l2d §7 ResNet-34 student', l2d),
]
for prefix, applies in (('model', lambda n: not l2d(n)), ('model.student', l2d)):
    L2D_ROWS += [
        Row(f'{prefix}.backbone.out_indices', (3, ), 'l2d §2 the last feature map', applies),
        Row(f'{prefix}.backbone.zero_init_residual', False, 'l2d §7 torchvision ResNets',
            applies),
        Row(f'{prefix}.head.type', 'mmkd.MLDecoderClsHead', 'l2d §2 ML-Decoder head', applies),
        Row(f'{prefix}.head.embed_dims', 768, 'l2d §2 D = 768', applies),
        Row(f'{prefix}.head.num_heads', 8, 'l2d §2 H = 8', applies),
        Row(f'{prefix}.head.ffn_dims', 2048, 'l2d §2 FFN 2048', applies),
        Row(f'{prefix}.head.dropout', 0.1, 'l2d §2 dropout 0.1', applies),
        Row(f'{prefix}.head.loss', dict(type='CrossEntropyLoss', use_sigmoid=True,
                                        loss_weight=64.0),
            'l2d §5 BCE summed over N*C (mmpretrain divides by N = 64)', applies),
    ]
L2D_ROWS += [
    Row('model.distill_losses.loss_mld.type', 'MLDLoss', 'l2d §3 MLD', l2d),
    Row('model.distill_losses.loss_mld.loss_weight', 10.0, 'l2d §5 lambda_logits = 10', l2d),
    Row('model.distill_losses.loss_led.lambda_cd', 100.0, 'l2d §4 (L) lambda_cd = 100', l2d),
    Row('model.distill_losses.loss_led.lambda_id', 1000.0, 'l2d §4 (L) lambda_id = 1000', l2d),
    Row('model.distill_losses.loss_led.loss_weight', 1.0, 'l2d §5 lambda_le = 1', l2d),
    Row('model.student_records', dict(logits='head', embeddings='head.decoder'),
        'l2d §2 logits z and label-wise embeddings e', l2d),
    Row('model.teachers.teacher.records', dict(embeddings='head.decoder'), 'l2d §2', l2d),
    Row('train_dataloader.dataset.difficult_as_positive', True, 'l2d §6 VOC: difficult included',
        lambda n: 'voc07' in n),
]
for data, classes in (('coco14', 80), ('voc07', 20), ('nus-wide', 81)):
    on = lambda n, d=data: f'_{d}-' in n  # noqa: E731
    L2D_ROWS += [Row('data_preprocessor.num_classes', classes, 'l2d §6 C', on),
                 Row('model.head.num_classes', classes, 'l2d §6 C', lambda n, o=on: o(n)
                     and not l2d(n)),
                 Row('model.student.head.num_classes', classes, 'l2d §6 C',
                     lambda n, o=on: o(n) and l2d(n))]


@pytest.mark.parametrize('name', L2D)
def test_l2d(name):
    assert_no_drift('l2d', name, L2D_ROWS)
    if l2d(name):  # the teacher is the matching 30-epoch config
        cfg = resolved('l2d', name)
        assert osp.basename(cfg['model']['teachers']['teacher']['config']) == name.replace(
            'l2d_resnet101-to-resnet34_1xb64-80e', 'resnet101_mldecoder_1xb64-30e')


def test_l2d_covers_the_three_datasets():
    assert len(L2D) == 9, L2D


# ------------------------------------------------------------------------------- VLM-OOD
VLM = ['vlm-ood_openclip-vit-l14_resnet18_cub.py', 'vlm-ood_openclip-vit-l14_vit-b32_cub.py',
       'lcls-only_openclip-vit-l14_resnet18_cub.py',
       'vlm-ood-coop_openclip-vit-l14_resnet18_cub.py',
       'few-shot-5_vlm-ood_openclip-vit-l14_resnet18_cub.py']
vit, few, lcls = (lambda n: 'vit-b32' in n, lambda n: n.startswith('few-shot'),
                  lambda n: n.startswith('lcls'))
resnet = lambda n: not vit(n)  # noqa: E731
stage1 = lambda n: not few(n)  # noqa: E731
VLM_TEST = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(256, 256)),
            dict(type='CenterCrop', crop_size=224), dict(type='PackInputs')]
RESNET_TRAIN = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(256, 256)),
                dict(type='RandomResizedCrop', scale=224),
                dict(type='RandomFlip', prob=0.5, direction='horizontal'),
                dict(type='PackInputs')]
VIT_TRAIN = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(256, 256)),
             dict(type='NumpyToPIL', to_rgb=True),
             dict(type='torchvision/RandAugment', num_ops=2, magnitude=9),
             dict(type='PILToNumpy', to_bgr=True), dict(type='RandomResizedCrop', scale=224),
             dict(type='PackInputs')]
CLIP_VIEW = [dict(type='LoadImageFromFile'),
             dict(type='Resize', scale=(256, 256), backend='pillow'),
             dict(type='Resize', scale=(224, 224), interpolation='bicubic', backend='pillow'),
             dict(type='PackInputs')]
LOSSES = 'model.distill_losses'
VLM_ROWS = [
    Row('model.teachers.clip.type', 'StoreTeacher', 'vlm-ood §5 teacher features cached once'),
    Row('model.teachers.clip.fixed_view', True, 'vlm-ood §5 / P4 the fixed, un-augmented view'),
    Row('model.teachers.clip.teacher', dict(type='OpenCLIPTeacher', arch='ViT-L-14',
                                            checkpoint='checkpoints/open_clip/ViT-L-14_openai.bin'),
        'vlm-ood §1 frozen CLIP ViT-L/14'),
    Row('clip_view_pipeline', CLIP_VIEW, 'vlm-ood §5 teacher: 256² squash, Resize(224, bicubic)'),
    Row('val_dataloader.batch_size', 64, 'vlm-ood §6 test batch 64'),
    Row('data_preprocessor.mean', IMAGENET_NORM['mean'], 'vlm-ood §5 ImageNet mean/std'),
    Row('data_preprocessor.std', IMAGENET_NORM['std'], 'vlm-ood §5 ImageNet mean/std'),
    Row('model.student.head.temperature', 0.07, 'vlm-ood §4 tau = 0.07'),
    Row('model.student.head.embed_dim', 768, 'vlm-ood §2 D = 768 for ViT-L/14'),
    Row('model.label_sets.id.descriptions_file', 'data/cub/chatgpt.txt',
        'vlm-ood §3 ChatGPT descriptions (full method)', lambda n: not lcls(n)),
    Row('model.label_sets.id.classes', 'data/cub/train', 'vlm-ood §1 ID label set only',
        stage1),
    Row('model.label_sets.ood.classes', 'data/cub/val', 'vlm-ood §1 OOD label set only'),
    Row(LOSSES, {}, 'vlm-ood §4 the L-cls baseline', lcls),
    Row(f'{LOSSES}.loss_mse.type', 'EmbeddingMSELoss', 'vlm-ood §4 L-mse',
        lambda n: not lcls(n)),
    Row(f'{LOSSES}.loss_cst', dict(type='EmbeddingContrastiveLoss', temperature=0.07,
                                   mode='bidirectional',
                                   inputs=dict(student_embeds='student.embeds',
                                               teacher_embeds='clip.image_embeds')),
        'vlm-ood §4 L-cst, bidirectional, tau 0.07', lambda n: not lcls(n)),
    Row(f'{LOSSES}.loss_vlalign.temperature', 0.07, 'vlm-ood §4 L-vlalign tau',
        lambda n: not lcls(n)),
    Row(f'{LOSSES}.loss_vlalign.num_proximal', 256, 'vlm-ood §4 k = 256', lambda n: not lcls(n)),
    Row(f'{LOSSES}.loss_vlalign.filter_misaligned', True, 'vlm-ood §4 filter',
        lambda n: not lcls(n)),
    # ResNet-18 student and its schedule
    Row('model.student.backbone.depth', 18, 'vlm-ood §2 ResNet18', resnet),
    Row('model.student.backbone.zero_init_residual', False, 'vlm-ood §2 Kaiming, random', resnet),
    Row('model.student.neck.type', 'GlobalAveragePooling', 'vlm-ood §2 avgpool 512', resnet),
    Row('model.student.head.in_channels', 512, 'vlm-ood §2 fc 512 -> 768', resnet),
    Row('optim_wrapper.optimizer', dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4),
        'vlm-ood §6 ResNet18 stage 1', lambda n: resnet(n) and stage1(n)),
    Row('param_scheduler', dict(type='MultiStepLR', by_epoch=True, milestones=[30, 60],
                                gamma=0.1), 'vlm-ood §6 x0.1 at 30 and 60',
        lambda n: resnet(n) and stage1(n)),
    Row('train_cfg.max_epochs', 90, 'vlm-ood §6 90 epochs', stage1),
    Row('train_cfg.dynamic_intervals', [(86, 1)], 'vlm-ood §5 mean of the last 5 epochs',
        stage1),
    Row('train_dataloader.batch_size', 128, 'vlm-ood §6 train batch 128', stage1),
    Row('train_dataloader.dataset.type', 'RepeatDataset', 'vlm-ood §6 --repeat-epochs', stage1),
    Row('train_dataloader.dataset.times', 5, 'vlm-ood §6 repeat 5 (CUB)',
        lambda n: resnet(n) and stage1(n)),
    Row('train_dataloader.dataset.dataset.pipeline', RESNET_TRAIN,
        'vlm-ood §5 RRC(224) + flip (per sample: P3)', lambda n: resnet(n) and stage1(n)),
    Row('val_dataloader.dataset.parts.0.dataset.pipeline', VLM_TEST, 'vlm-ood §5 student test'),
    Row('auto_scale_lr.base_batch_size', 128, 'vlm-ood §6 batch 128 (multi-GPU: README)', resnet),
    # ViT-B/32 student and its schedule
    Row('model.student.backbone', dict(type='VisionTransformer', arch='b', img_size=224,
                                       patch_size=32, out_type='cls_token', drop_rate=0.0),
        'vlm-ood §2 torchvision vit_b_32 (no dropout)', vit),
    Row('model.student.head.in_channels', 768, 'vlm-ood §2 CLS -> Linear(768 -> 768)', vit),
    Row('optim_wrapper.optimizer', dict(type='AdamW', lr=1e-4, weight_decay=0.01),
        'vlm-ood §6 ViT stage 1', vit),
    Row('param_scheduler', dict(type='OneCycleLR', eta_max=1e-4, total_steps=90, by_epoch=True),
        'vlm-ood §6 OneCycle stepped once per epoch, torch defaults', vit),
    Row('train_dataloader.dataset.times', 3, 'vlm-ood §6 / P14 repeat 3', vit),
    Row('train_dataloader.dataset.dataset.pipeline', VIT_TRAIN,
        'vlm-ood §5 ViT: RandAugment(2, 9) -> RRC(224), no flip', vit),
    # CoOp
    Row('model.student.head.prototypes', dict(type='CoOpPromptLearner', context_width=768,
                                              num_context=8), 'vlm-ood §3 CoOp n_ctx = 8',
        lambda n: 'coop' in n),
    Row('model.label_sets.id.templates', '{name} . {description}',
        'vlm-ood §3 CoOp template (no "a photo of")', lambda n: 'coop' in n),
    # few-shot finetuning
    Row('train_dataloader.batch_size', 64, 'vlm-ood §6 FewShotSampler: 64 ID images', few),
    Row('train_dataloader.batch_sampler', dict(type='mmkd.FewShotBatchSampler', num_shots=64),
        'vlm-ood §6 FewShotSampler: + 64 shots', few),
    Row('train_dataloader.dataset.parts.1.dataset.shots', 5, 'vlm-ood §6 5 shots', few),
    Row('train_dataloader.dataset.parts.1.label_offset', 100, 'vlm-ood §6 labels C_id + j', few),
    Row('val_dataloader.dataset.parts.0.dataset.part', 'query', 'vlm-ood §6 test = the rest',
        few),
    Row('optim_wrapper.optimizer.lr', 1e-3, 'vlm-ood §6 few-shot max lr 1e-3', few),
    Row('param_scheduler', dict(type='OneCycleLR', eta_max=1e-3, total_steps=20, by_epoch=True),
        'vlm-ood §6 few-shot OneCycle, 20 epochs', few),
    Row('train_cfg.max_epochs', 20, 'vlm-ood §6 20 epochs', few),
    Row('model.label_sets.all.classes.dirs', ['data/cub/train', 'data/cub/val'],
        'vlm-ood §6 W = ID ∪ OOD prompts', few),
]


@pytest.mark.parametrize('name', VLM)
def test_vlm_ood(name):
    assert_no_drift('vlm_ood', name, VLM_ROWS)


def test_vlm_ood_vit_randaugment_is_torchvisions_2_ops_magnitude_9_of_30():
    """Both ops always applied, 9 of 31 magnitude bins, drawn from torchvision's 14 ops."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import TRANSFORMS
    init_default_scope('mmpretrain')
    [randaugment] = [t for t in resolved('vlm_ood', VLM[1])['train_pipeline']
                     if 'RandAugment' in t['type']]
    transform = TRANSFORMS.build(randaugment).t
    assert type(transform).__module__ == 'torchvision.transforms.autoaugment'
    assert (transform.num_ops, transform.magnitude, transform.num_magnitude_bins) == (2, 9, 31)
    ops = transform._augmentation_space(transform.num_magnitude_bins, (224, 224))
    assert len(ops) == 14
    assert float(ops['Rotate'][0][transform.magnitude]) == pytest.approx(9.0)  # 9/30 of 30°


def test_vlm_ood_clip_view_is_the_whole_image_at_224(tmp_path):
    import cv2
    from mmcv.transforms import Compose
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    path = str(tmp_path / 'wide.png')
    image = np.zeros((200, 400, 3), np.uint8)
    image[:, :8] = 255  # a stripe at the left edge: a centre crop would lose it
    cv2.imwrite(path, image)
    pipeline = Compose(resolved('vlm_ood', VLM[0])['clip_view_pipeline'])
    packed = pipeline(dict(img_path=path))['inputs']
    assert tuple(packed.shape) == (3, 224, 224)
    assert packed[:, :, :3].float().mean() > 200  # the whole image, squashed


# ------------------------------------------------------------------------------------ MaKD
MAKD = configs('makd/makd_internvl2.5-8b_*.py') + configs('makd/ce_resnet18_*.py')
MAKD_DATA = {  # dataset -> (C, mmpretrain class or class folders, train split)
    'stanford-cars': (196, 'StanfordCars', 'train'), 'oxford-pets': (37, 'OxfordIIITPet',
                                                                     'trainval'),
    'dtd': (47, 'DTD', 'trainval'), 'flowers102': (102, 'Flowers102', 'trainval'),
    'cub': (200, 'CUB', 'train'), 'fgvc-aircraft': (100, 'FGVCAircraft', 'trainval'),
    'caltech101': (101, 'CustomDataset', 'train'), 'mini-imagenet': (100, 'CustomDataset',
                                                                     'train'),
}
makd, ce = lambda n: n.startswith('makd_'), lambda n: n.startswith('ce_')
MAKD_TRAIN = [dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', scale=224),
              dict(type='RandomFlip', prob=0.5, direction='horizontal'),
              dict(type='PackInputs')]
MAKD_TEST = [dict(type='LoadImageFromFile'), dict(type='ResizeEdge', scale=224, edge='short'),
             dict(type='CenterCrop', crop_size=224), dict(type='PackInputs')]
MAKD_ROWS = [
    Row('optim_wrapper.optimizer', dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
        'makd §2.5 optimizer, lr'),
    Row('param_scheduler', dict(type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210],
                                gamma=0.1), 'makd §2.5 x0.1 at 150/180/210'),
    Row('train_cfg.max_epochs', 240, 'makd §2.5 240 epochs'),
    Row('train_dataloader.batch_size', 16, 'makd §2.5 batch 16'),
    Row('train_dataloader.drop_last', True, 'makd §2.5 shuffle, drop_last'),
    Row('val_dataloader.batch_size', 16, 'makd §2.5 test 16 (every image: pitfall 10)'),
    Row('data_preprocessor.mean', IMAGENET_NORM['mean'], 'makd §2.5 ImageNet normalisation'),
    Row('data_preprocessor.std', IMAGENET_NORM['std'], 'makd §2.5 ImageNet normalisation'),
    Row('train_pipeline', MAKD_TRAIN, 'makd §2.5 RRC(224) + flip'),
    Row('val_dataloader.dataset.pipeline', MAKD_TEST, 'makd §2.5 Resize(224) + CenterCrop(224)'),
    Row('train_dataloader.dataset.pipeline', MAKD_TRAIN, 'makd §2.5 (CE baseline: no targets)',
        ce),
    Row('model.backbone.zero_init_residual', False, 'makd §2.3 pretrained=False torchvision',
        lambda n: 'resnet' in n),
    Row('model.head.num_aspects', 50, 'makd §2.1 Q = 50', makd),
    Row('model.head.loss', dict(type='CrossEntropyLoss', loss_weight=1.0),
        'makd §2.4 lambda_ce = 1'),
    Row('model.head.aspect_loss', dict(type='AspectBCELoss', loss_weight=4.0),
        'makd §2.4 alpha = 4 (mean BCE over B*Q)', makd),
    Row('model.head.type', 'LinearClsHead', 'makd §3 Base: C-way head, CE only', ce),
    Row('model.backbone.depth', 34, 'makd §2.5 ResNet34', lambda n: 'resnet34' in n),
    Row('model.backbone', dict(type='TIMMBackbone', model_name='mobilenetv1_100',
                               pretrained=False), 'makd §2.5 MobileNet-V1 from scratch',
        lambda n: 'mobilenet-v1' in n),
    Row('model.head.in_channels', 1024, 'makd §2.5 MobileNet-V1 1024-d',
        lambda n: 'mobilenet-v1' in n),
    Row('model.backbone', dict(type='EfficientNet', arch='b0'), 'makd §2.5 EfficientNet',
        lambda n: 'efficientnet' in n),
]
for data, (classes, dataset, split) in MAKD_DATA.items():
    on = lambda n, d=data: n.endswith(f'_{d}.py')  # noqa: E731
    key = 'split' if dataset != 'CustomDataset' else 'data_prefix'
    MAKD_ROWS += [
        Row('model.head.num_classes', classes, 'makd §2.6 C', on),
        Row('data_preprocessor.num_classes', classes, 'makd §2.6 C', on),
        Row('train_dataloader.dataset.type', dataset, 'makd §2.6 datasets', on),
        Row(f'train_dataloader.dataset.{key}', split, 'makd §2.6 official train split', on),
        Row('train_dataloader.dataset.pipeline.4', dict(
            type='mmkd.LoadAspectTargets',
            source=f'work_dirs/makd_targets/internvl2.5-8b_{data}_{split}/teacher_store'),
            'makd §2.2 InternVL targets of the train images',
            lambda n, o=on: o(n) and makd(n)),
    ]


@pytest.mark.parametrize('name', MAKD)
def test_makd(name):
    assert_no_drift('makd', name, MAKD_ROWS)


def test_makd_covers_the_papers_datasets_and_students():
    for data in MAKD_DATA:
        assert f'makd_internvl2.5-8b_resnet18_1xb16-240e_{data}.py' in MAKD
        assert f'ce_resnet18_1xb16-240e_{data}.py' in MAKD
    for arch in ('resnet34', 'mobilenet-v1', 'efficientnet-b0'):
        assert f'makd_internvl2.5-8b_{arch}_1xb16-240e_oxford-pets.py' in MAKD


def test_makd_mobilenet_v1_is_the_1024_channel_network():
    from mmpretrain.models import TIMMBackbone
    cfg = resolved('makd', 'makd_internvl2.5-8b_mobilenet-v1_1xb16-240e_oxford-pets.py')
    backbone = TIMMBackbone(**{k: v for k, v in cfg['model']['backbone'].items()
                               if k != 'type'})
    [feature] = backbone(torch.zeros(1, 3, 224, 224))
    assert tuple(feature.shape) == (1, 1024, 7, 7)
    assert 3.1e6 < sum(p.numel() for p in backbone.parameters()) < 3.3e6  # MobileNet-V1 1.0


# ------------------------------------------------------------------------------------- LGD
LGD_PRETRAIN = configs('lgd/*_8xb256-200e_in1k.py')
LGD_LINEAR = configs('lgd/linear-eval_*.py')
LGD_TRANSFER = configs('lgd/transfer/mask-rcnn_lgd-*_1x_coco.py') + configs(
    'lgd/transfer/mask-rcnn_lgd-*_lvis-*.py')
seed, lgd_loss = (lambda n: n.startswith('seed_'), lambda n: n.startswith('lgd_'))
MOCO_V2 = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='RandomApply', transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                                              saturation=0.4, hue=0.1)], prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='RandomFlip', prob=0.5), dict(type='PackInputs'), dict(type='mmkd.DropLabels')]
LGD_ROWS = [
    Row('optim_wrapper', dict(type='AmpOptimWrapper', optimizer=dict(
        type='SGD', lr=0.24, momentum=0.9, weight_decay=1e-4)),
        'lgd §2.5 SGD 0.03 x 2048/256, momentum 0.9, wd 1e-4 on all params, AMP'),
    Row('train_cfg.max_epochs', 200, 'lgd §2.5 E = 200'),
    Row('train_dataloader.batch_size', 256, 'lgd §2.5 8 x 256'),
    Row('auto_scale_lr.base_batch_size', 2048, 'lgd §2.5 lr x bs / 256'),
    Row('train_dataloader.dataset.pipeline', MOCO_V2, 'lgd §2.5 MoCo-v2 augmentation'),
    Row('data_preprocessor.mean', CLIP_NORM['mean'], 'lgd §2.5 CLIP mean/std for both'),
    Row('data_preprocessor.std', CLIP_NORM['std'], 'lgd §2.5 CLIP mean/std for both'),
    Row('model.teachers.clip', dict(type='OpenCLIPTeacher', arch='RN50', text_tower=False,
                                    checkpoint='checkpoints/clip_rn50_openclip.pth'),
        'lgd §2.1 CLIP RN50 image tower'),
    Row('model.student.head.embed_dim', 1024, 'lgd §2.1 D = 1024 (CLIP space)'),
    Row('model.student.backbone.depth', 18, 'lgd §2.1 resnet18', lambda n: 'resnet18' in n),
    Row('model.student.backbone.zero_init_residual', False, 'lgd §2.1 torchvision ResNet-18',
        lambda n: 'resnet18' in n),
    Row('model.student.backbone', dict(type='MobileNetV2', widen_factor=1.0),
        'lgd §2.1 mobilenet_v2 (no Dropout before the MLP: README)',
        lambda n: 'mobilenet' in n),
    Row('model.student.backbone', dict(type='EfficientNet', arch='b0'),
        'lgd §2.1 efficientnet_b0', lambda n: 'efficientnet' in n),
    Row('model.student.head.in_channels', 1280, 'lgd §2.1 F = 1280',
        lambda n: 'mobilenet' in n or 'efficientnet' in n),
    Row('model.distill_losses.loss_vis.tau_s', 0.2, 'lgd §2.4 tau_S 0.2', lgd_loss),
    Row('model.distill_losses.loss_vis.tau_t', 0.01, 'lgd §2.4 tau_T 0.01', lgd_loss),
    Row('model.distill_losses.loss_vis.loss_weight', 0.5, 'lgd §2.4 alpha = 0.5', lgd_loss),
    Row('model.distill_losses.loss_vis.bank.momentum', 0.999, 'lgd §2.3 m = 0.999', lgd_loss),
    Row('model.distill_losses.loss_vis.bank.renormalize', False, 'lgd §2.3 not re-normalised',
        lgd_loss),
    Row('model.distill_losses.loss_tex.tau_s', 0.2, 'lgd §2.4', lgd_loss),
    Row('model.distill_losses.loss_tex.tau_t', 0.01, 'lgd §2.4', lgd_loss),
    Row('model.distill_losses.loss_tex.loss_weight', 0.5, 'lgd §2.4 1 - alpha', lgd_loss),
    Row('model.distill_losses.loss_tex.self_slot', False, 'lgd §2.4 L_TEX: no self slot',
        lgd_loss),
    Row('model.distill_losses.loss_seed.tau_t', 1e-4, 'lgd §1 SEED tau_T 1e-4', seed),
    Row('model.distill_losses.loss_seed.tau_s', 0.2, 'lgd §1 SEED tau_S 0.2', seed),
    Row('model.distill_losses.loss_seed.bank', dict(type='EmbeddingQueue', size=65536, dim=1024),
        'lgd §1 K = 65536', seed),
]
LINEAR_ROWS = [
    Row('optim_wrapper.optimizer', dict(type='SGD', lr=240., momentum=0.9, weight_decay=0.),
        'lgd §3 SGD 30 x 2048/256, momentum 0.9, wd 0'),
    Row('train_cfg.max_epochs', 100, 'lgd §3 100 epochs'),
    Row('train_dataloader.batch_size', 256, 'lgd §3 bs 2048'),
    Row('model.head.init_cfg', dict(type='Normal', layer='Linear', std=0.01),
        'lgd §3 new fc ~ N(0, 0.01)'),
    Row('model.backbone.norm_eval', True, 'lgd §3 backbone in eval()'),
    Row('data_preprocessor.mean', IMAGENET_NORM['mean'], 'lgd §3 ImageNet mean/std'),
    Row('train_dataloader.dataset.pipeline.1', dict(type='RandomResizedCrop', scale=224),
        'lgd §3 RRC 224 + flip'),
    Row('val_dataloader.dataset.pipeline.1', dict(type='ResizeEdge', scale=256, edge='short'),
        'lgd §3 Resize 256 + CenterCrop 224'),
    Row('train_dataloader.dataset.ann_file', 'meta/train_1pct.txt', 'lgd §3 1 %: 13 a class',
        lambda n: n.endswith('-1pct.py')),
    Row('train_dataloader.dataset.ann_file', 'meta/train_10pct.txt', 'lgd §3 10 %: 128 a class',
        lambda n: n.endswith('-10pct.py')),
]
TRANSFER_ROWS = [
    Row('optim_wrapper', dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-4,
                                                                  weight_decay=1e-4),
                              paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
                              clip_grad=dict(max_norm=0.1, norm_type=2)),
        'lgd §3 detection: AdamW 2e-4, wd 1e-4, backbone x0.1, clip 0.1'),
    Row('train_cfg.max_epochs', 12, 'lgd §3 1x: 12 epochs'),
    Row('param_scheduler.1.milestones', [8, 11], 'lgd §3 steps at 8 and 11'),
    Row('param_scheduler.0.end', 500, 'lgd §3 linear warm-up 500 iterations'),
    Row('train_dataloader.batch_size', 2, 'lgd §3 2 images/GPU'),
    Row('model.backbone.frozen_stages', 1, 'lgd §3 R18: frozen_stages 1', lambda n: 'r18' in n),
    Row('model.backbone.norm_eval', True, 'lgd §3 norm_eval True'),
    Row('model.neck.in_channels', [64, 128, 256, 512], 'lgd §3 R18 FPN', lambda n: 'r18' in n),
    Row('model.neck.in_channels', [32, 96, 320], 'lgd §3 MNv2 out_indices (2,4,6)',
        lambda n: 'mnv2' in n),
    Row('model.neck.num_outs', 3, 'lgd §3 MNv2 FPN num_outs 3', lambda n: 'mnv2' in n),
    Row('model.roi_head.bbox_head.num_classes', 1203, 'lgd §3 LVIS v1: 1203 classes',
        lambda n: 'lvis-v1' in n),
    Row('model.roi_head.bbox_head.num_classes', 1230, 'lgd §2.2 LVIS v0.5 vocabulary: 1230',
        lambda n: 'lvis-v0.5' in n),
    Row('train_dataloader.dataset.oversample_thr', 1e-3, 'lgd §3 ClassBalancedDataset 1e-3',
        lambda n: 'lvis' in n),
    Row('model.test_cfg.rcnn.score_thr', 1e-4, 'lgd §3 LVIS score_thr 1e-4',
        lambda n: 'lvis' in n),
    Row('model.test_cfg.rcnn.max_per_img', 300, 'lgd §3 LVIS 300 detections',
        lambda n: 'lvis' in n),
]


@pytest.mark.parametrize('name', LGD_PRETRAIN)
def test_lgd_pretraining(name):
    assert_no_drift('lgd', name, LGD_ROWS)


@pytest.mark.parametrize('name', LGD_LINEAR)
def test_lgd_linear_evaluation(name):
    assert_no_drift('lgd', name, LINEAR_ROWS)


@pytest.mark.parametrize('name', LGD_TRANSFER)
def test_lgd_transfer(name):
    assert_no_drift('lgd/transfer', name, TRANSFER_ROWS)


def test_lgd_has_every_student_and_label_fraction():
    assert {'lgd_clip-rn50_resnet18_8xb256-200e_in1k.py',
            'seed_clip-rn50_resnet18_8xb256-200e_in1k.py',
            'lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py',
            'lgd_clip-rn50_efficientnet-b0_8xb256-200e_in1k.py'} <= set(LGD_PRETRAIN)
    assert {'linear-eval_lgd-resnet18_8xb256-100e_in1k.py',
            'linear-eval_lgd-mobilenet-v2_8xb256-100e_in1k.py',
            'linear-eval_lgd-efficientnet-b0_8xb256-100e_in1k.py',
            'linear-eval_lgd-resnet18_8xb256-100e_in1k-1pct.py',
            'linear-eval_lgd-resnet18_8xb256-100e_in1k-10pct.py'} == set(LGD_LINEAR)


def epoch_lrs(cfg: dict, epochs: int) -> List[float]:
    """The lr of each epoch as the runner sets it: the schedulers built from the config on an
    optimizer at the config's lr, stepped once after every epoch."""
    from mmengine.optim import OptimWrapper
    from mmengine.registry import PARAM_SCHEDULERS
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                                lr=cfg['optim_wrapper']['optimizer']['lr'])
    configs = cfg['param_scheduler']
    configs = configs if isinstance(configs, list) else [configs]
    assert not any(s.get('convert_to_iter_based') for s in configs)  # stepped per epoch
    schedulers = [PARAM_SCHEDULERS.build({k: v for k, v in s.items()
                                          if k != 'convert_to_iter_based'},
                                         default_args=dict(optimizer=OptimWrapper(optimizer)))
                  for s in configs]
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]['lr'])
        for scheduler in schedulers:
            scheduler.step()
    return lrs


def test_lgd_pretraining_lr_is_the_originals_per_epoch():
    """tools/utils.py adjust_learning_rate: epochs 0-4: 0.03 + (0.24 - 0.03) / 5 * e; then
    0.24 * (1 + cos(pi * e / 200)) / 2 over the absolute epoch (spec lgd §2.5)."""
    lrs = epoch_lrs(resolved('lgd', LGD_PRETRAIN[0]), 200)
    for epoch, lr in enumerate(lrs):
        cosine = 0.5 * (1 + math.cos(math.pi * epoch / 200))
        if epoch < 5:
            original = 0.03 + (0.24 - 0.03) / 5 * epoch
            assert lr == pytest.approx(original * cosine, rel=1e-9)  # README: warm-up x cosine
            assert abs(lr / original - 1) < 1e-3
        else:
            assert lr == pytest.approx(0.24 * cosine, rel=1e-9), epoch
    assert lrs[100] == pytest.approx(0.12)  # no restart after the warm-up


def test_lgd_linear_evaluation_lr_is_the_originals_per_epoch():
    lrs = epoch_lrs(resolved('lgd', 'linear-eval_lgd-resnet18_8xb256-100e_in1k.py'), 100)
    for epoch, lr in enumerate(lrs):
        original = (30 + (240 - 30) / 5 * epoch if epoch < 5
                    else 240 * 0.1 ** sum(epoch >= m for m in (60, 80)))
        assert lr == pytest.approx(original, rel=1e-9), epoch


@pytest.mark.parametrize('name', LGD_LINEAR[:3])
def test_lgd_linear_evaluation_trains_the_head_only(name):
    """Every backbone parameter is frozen or at lr 0, in every student."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import MODELS, init_default_scope
    init_default_scope('mmpretrain')
    cfg = resolved('lgd', name)
    backbone_cfg = {k: v for k, v in cfg['model']['backbone'].items() if k != 'init_cfg'}
    model = torch.nn.Module()
    model.backbone = MODELS.build(backbone_cfg)
    model.head = torch.nn.Linear(1, 1)
    model.train()
    wrapper = build_optim_wrapper(model, cfg['optim_wrapper'])
    for group in wrapper.optimizer.param_groups:
        names = {id(p): n for n, p in model.named_parameters()}
        for param in group['params']:
            if names[id(param)].startswith('backbone.'):
                assert not param.requires_grad or group['lr'] == 0, names[id(param)]
    assert all(not m.training for m in model.backbone.modules()
               if isinstance(m, torch.nn.BatchNorm2d))


@pytest.mark.parametrize('name,epochs', [(VLM[1], 90), (VLM[4], 20)])
def test_vlm_ood_one_cycle_is_torchs_stepped_once_per_epoch(name, epochs):
    """OneCycleLR(total_steps=epochs) with torch's defaults, stepped after every epoch (spec
    vlm-ood §6); the momentum cycle is not reproduced (README)."""
    cfg = resolved('vlm_ood', name)
    peak = cfg['param_scheduler']['eta_max']
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
    reference = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=peak, total_steps=epochs,
                                                    cycle_momentum=False)
    expected = []
    for _ in range(epochs):
        expected.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        reference.step()
    assert epoch_lrs(cfg, epochs) == pytest.approx(expected, rel=1e-6)
