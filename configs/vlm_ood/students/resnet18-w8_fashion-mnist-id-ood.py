# The narrower (base width 8) student of the measured two-tower Fashion-MNIST runs, with a CPU-sized
# schedule that converges: batch 32 (22 iterations an epoch on the 700 ID training images),
# 30 epochs, lr x0.1 at epochs 20 and 26. (8 epochs of 6 iterations left some seeds at chance.)
_base_ = ['./resnet18-w16_fashion-mnist-id-ood.py']
model = dict(backbone=dict(base_channels=8), head=dict(in_channels=64))
train_dataloader = dict(batch_size=32)
train_cfg = dict(max_epochs=30, val_interval=30)
param_scheduler = dict(milestones=[20, 26])
