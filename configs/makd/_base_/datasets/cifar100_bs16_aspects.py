# CIFAR-100 (32 px, held in memory: store ids are 'index:<i>') with MaKD aspect targets.
# [ours] The original repository has no CIFAR MaKD recipe (its cifar100 MaKD yamls are DKD copies).
_base_ = ['mmpretrain::_base_/datasets/cifar100_bs16.py']
train_aspects = 'work_dirs/makd_targets/qwen2.5-vl-7b_cifar100_train/teacher_store'
test_aspects = 'work_dirs/makd_targets/qwen2.5-vl-7b_cifar100_test/teacher_store'
train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
    dict(type='mmkd.LoadAspectTargets', source=train_aspects),
]
test_pipeline = [
    dict(type='PackInputs'),
    dict(type='mmkd.LoadAspectTargets', source=test_aspects),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='Accuracy', topk=(1, )), dict(type='mmkd.AspectAgreement')]
test_evaluator = val_evaluator

# every training / test sample must have its aspect targets: checked before the first iteration
custom_hooks = [dict(type='mmkd.TargetCoverageHook')]
