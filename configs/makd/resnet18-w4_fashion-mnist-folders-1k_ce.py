# The CE-only baseline of the MaKD transfer-set runs: ResNet-18 (w4) with cross-entropy on the
# 1000 labelled images alone, 60 epochs of 8 iterations (about the steps of the MaKD run: 6 x 86);
# the same model, data and schedule as configs/hinton_kd/resnet18-w4_fashion-mnist-1k_ce.py, read
# from image folders.
_base_ = [
    '../_base_/models/resnet18-cifar-w4_fashion-mnist.py',
    './_base_/datasets/fashion-mnist-folders_1k-transfer10k.py',
    '../_base_/schedules/fashion_mnist_sgd.py',
    'mmpretrain::_base_/default_runtime.py',
]
param_scheduler = dict(T_max=60)
train_cfg = dict(max_epochs=60, val_interval=60)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=60, max_keep_ckpts=1))
