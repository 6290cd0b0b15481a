# The student alone: ResNet-18 (w4) trained with cross-entropy on the first 1000 labelled images.
# 60 epochs of 8 iterations: about as many steps as the distilled student takes (6 x 86).
_base_ = [
    '../_base_/models/resnet18-cifar-w4_fashion-mnist.py',
    '../_base_/datasets/fashion_mnist_bs128.py',
    '../_base_/schedules/fashion_mnist_sgd.py',
    'mmpretrain::_base_/default_runtime.py',
]
train_dataloader = dict(dataset=dict(indices=1000))
param_scheduler = dict(T_max=60)
# validation every 10 epochs: the demo's curve of test accuracy during training
train_cfg = dict(max_epochs=60, val_interval=10)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=60, max_keep_ckpts=1))
