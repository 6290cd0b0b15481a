# MaKD's data settings for every dataset at 224 px (the original's tools/our_train.py):
# RandomResizedCrop(224) + flip / Resize(224, short side) + CenterCrop(224), ImageNet mean/std,
# batch 16, the last incomplete training batch dropped (drop_last, as the original), every test
# image evaluated (the original also dropped the last test batch). The dataset configs beside this
# file set the dataset; a MaKD config adds the aspect targets to the training pipeline:
#   train_dataloader = dict(dataset=dict(pipeline=[
#       *_base_.train_pipeline, dict(type='mmkd.LoadAspectTargets', source=STORE)]))
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=224, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16, num_workers=4, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

# every training / test sample must have its aspect targets: checked before the first iteration
custom_hooks = [dict(type='mmkd.TargetCoverageHook')]
