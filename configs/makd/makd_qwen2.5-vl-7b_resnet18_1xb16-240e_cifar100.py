# MaKD on CIFAR-100 [ours]: CIFAR ResNet-18 from scratch, 100 classes + 50 aspects, the paper's
# schedule and loss weights.
_base_ = [
    './_base_/models/resnet18_aspect-head.py',
    './_base_/datasets/cifar100_bs16_aspects.py',
    './_base_/schedule_sgd-240e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(backbone=dict(type='ResNet_CIFAR'), head=dict(num_classes=100, num_aspects=50))
