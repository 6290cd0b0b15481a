# Fashion-MNIST (28 px, grey, held in memory: store ids are 'index:<i>') with MaKD aspect targets.
# Data: python tools/dataset_converters/prepare_fashion_mnist.py --out data/fashion_mnist
dataset_type = 'FashionMNIST'
data_root = 'data/fashion_mnist'
train_aspects = 'work_dirs/makd_targets/fashion-mnist_train/teacher_store'
test_aspects = 'work_dirs/makd_targets/fashion-mnist_test/teacher_store'
data_preprocessor = dict(num_classes=10, mean=[72.94], std=[90.02])

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
    dict(type='mmkd.LoadAspectTargets', source=train_aspects),
]
test_pipeline = [
    dict(type='PackInputs'),
    dict(type='mmkd.LoadAspectTargets', source=test_aspects),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root, split='train', download=False,
                 pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root, split='test', download=False,
                 pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = [dict(type='Accuracy', topk=(1, )), dict(type='mmkd.AspectAgreement')]
test_dataloader = val_dataloader
test_evaluator = val_evaluator

# every training / test sample must have its aspect targets: checked before the first iteration
custom_hooks = [dict(type='mmkd.TargetCoverageHook')]
