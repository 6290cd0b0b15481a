# Oxford-IIIT Pets (trainval / test, 37 classes) at 224 px, with MaKD aspect targets extracted by
#   python tools/makd/extract_aspect_logits.py MODEL questions.txt work_dirs/makd_targets/<name> \
#       --dataset-config THIS_CONFIG --split train_dataloader   (and val_dataloader)
dataset_type = 'OxfordIIITPet'
data_root = 'data/oxford-iiit-pet'
train_aspects = 'work_dirs/makd_targets/qwen2.5-vl-7b_oxford-pets_trainval/teacher_store'
test_aspects = 'work_dirs/makd_targets/qwen2.5-vl-7b_oxford-pets_test/teacher_store'
data_preprocessor = dict(
    num_classes=37, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
    dict(type='mmkd.LoadAspectTargets', source=train_aspects),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=224, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
    dict(type='mmkd.LoadAspectTargets', source=test_aspects),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    dataset=dict(type=dataset_type, data_root=data_root, split='trainval',
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
# every test image is evaluated (the original dropped the last incomplete batch)
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    dataset=dict(type=dataset_type, data_root=data_root, split='test', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = [dict(type='Accuracy', topk=(1, )), dict(type='mmkd.AspectAgreement')]
test_dataloader = val_dataloader
test_evaluator = val_evaluator

# every training / test sample must have its aspect targets: checked before the first iteration
custom_hooks = [dict(type='mmkd.TargetCoverageHook')]
