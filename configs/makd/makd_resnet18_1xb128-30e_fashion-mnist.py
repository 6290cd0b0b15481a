# MaKD on Fashion-MNIST, runnable on a CPU: CIFAR-stem ResNet-18 on grey 28 px images, 10 classes +
# 16 aspects (configs/makd/questions/fashion-mnist_q16.txt), CE (1.0) + BCE (4.0), a short schedule.
# Targets: tools/makd/extract_aspect_logits.py ... --dataset-config THIS_CONFIG (see
# projects/makd/README.md).
_base_ = [
    './_base_/models/resnet18_aspect-head.py',
    './_base_/datasets/fashion-mnist_bs16_aspects.py',
    './_base_/schedule_sgd-240e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    backbone=dict(type='ResNet_CIFAR', in_channels=1, zero_init_residual=True),
    head=dict(num_classes=10, num_aspects=16))
train_dataloader = dict(batch_size=128)
optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = dict(milestones=[15, 25])
train_cfg = dict(max_epochs=30)
auto_scale_lr = dict(base_batch_size=128)
