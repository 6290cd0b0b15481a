# The teacher: ResNet-18 (w8) trained on the first 10 000 labelled Fashion-MNIST images.
_base_ = [
    '../_base_/models/resnet18-cifar-w8_fashion-mnist.py',
    '../_base_/datasets/fashion_mnist_bs128.py',
    '../_base_/schedules/fashion_mnist_sgd.py',
    'mmpretrain::_base_/default_runtime.py',
]
train_dataloader = dict(dataset=dict(indices=10000))
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(max_keep_ckpts=1))
