# L2D's data pipeline at 224 px (penghui-yang/L2D data/*.py), in mmpretrain transforms:
# train: Resize(224, 224) without keeping the ratio -> Cutout of half the side on every image
# (CutoutPIL; mmpretrain's Cutout defaults to prob=0.5) -> RandAugment; test: Resize(224, 224).
# No flip, no crop.
# Differences: the original fills the cutout with a random colour (here a fixed grey) and uses the
# `randaugment` package (2 of 15 ops, p=0.5 each, magnitude uniform in 1..9); this is
# mmpretrain's timm-style RandAugment with 2 ops and a uniform magnitude. The original feeds
# [0, 1] images without mean/std normalisation to ImageNet-pretrained backbones; here both
# teacher and student use the ImageNet mean/std their pretrained weights expect.
_base_ = ['./multilabel_metrics.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)

data_preprocessor = dict(
    num_classes=80,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
    to_onehot=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Cutout', shape=112, pad_val=(124, 116, 104), prob=1.0),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std='inf',
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64, num_workers=8, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=64, num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
