# The CE-only baseline of the MaKD transfer-set runs: ResNet-18 (w4) with cross-entropy on the
# 1000 labelled images alone, 30 epochs of 8 iterations (about the steps of the MaKD run: 3 x 86);
# the model and data of configs/hinton_kd/resnet18-w4_fashion-mnist-1k_ce.py, read from image
# folders, at half its schedule (5 paired seeds of both rows within ~25 CPU minutes).
_base_ = [
    '../_base_/models/resnet18-cifar-w4_fashion-mnist.py',
    './_base_/datasets/fashion-mnist-folders_1k-transfer10k.py',
    '../_base_/schedules/fashion_mnist_sgd.py',
    'mmpretrain::_base_/default_runtime.py',
]
param_scheduler = dict(T_max=30)
train_cfg = dict(max_epochs=30, val_interval=30)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=30, max_keep_ckpts=1))
