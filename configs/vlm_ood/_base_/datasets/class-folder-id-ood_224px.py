# One of Li et al.'s datasets (CUB, Flowers102, Food-101, Stanford Cars, SUN397, tiered-ImageNet)
# split by tools/vlm_ood/split_dataset.py into train / val_on_train (ID) / val (OOD); the dataset
# root also holds the original's label2text.txt and chatgpt.txt. Set data_root and num_classes in
# the config that inherits this file (CUB below).
data_root = 'data/cub'
num_classes = dict(id=100, ood=100)
label_sets = dict(
    id=dict(classes=data_root + '/train', label_file=data_root + '/label2text.txt'),
    ood=dict(classes=data_root + '/val', label_file=data_root + '/label2text.txt'))

dataset_type = 'CustomDataset'
data_preprocessor = dict(
    num_classes=num_classes['id'], mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
    to_rgb=True)
# The original squashes every image to 256x256 before cropping; augmentation is per sample here
# (the original shared one crop/flip across the whole batch, spec pitfall 3).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=128, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='mmkd.LabelSetDataset', parts=[
        dict(label_set='id', dataset=dict(type=dataset_type, data_root=data_root,
                                          data_prefix='val_on_train', pipeline=test_pipeline)),
        dict(label_set='ood', dataset=dict(type=dataset_type, data_root=data_root,
                                           data_prefix='val', pipeline=test_pipeline)),
    ]))
val_evaluator = dict(type='mmkd.OpenVocabAccuracy')
test_dataloader = val_dataloader
test_evaluator = val_evaluator
