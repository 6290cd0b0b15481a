# The teacher: ResNet-18 (CIFAR stem, 8 base channels) for multi-label Fashion-tile canvases.
# Data: `python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles`
_base_ = ['mmpretrain::_base_/default_runtime.py']

data_root = 'data/fashion_tiles'
data_preprocessor = dict(num_classes=10, mean=[20.0] * 3, std=[60.0] * 3, to_onehot=True)
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=3, stem_channels=8,
                  base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='MultiLabelLinearClsHead', num_classes=10, in_channels=64))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# The deterministic view: what the offline teacher store is extracted on.
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type='MultiLabelDataset', data_root=data_root,
                 ann_file='annotations/multilabel_train.json', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=48,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type='MultiLabelDataset', data_root=data_root,
                 ann_file='annotations/multilabel_val.json', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='AveragePrecision')
test_dataloader = val_dataloader
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=20)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(checkpoint=dict(interval=20, max_keep_ckpts=1))
