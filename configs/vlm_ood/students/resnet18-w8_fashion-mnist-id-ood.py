# The narrower (base width 8) student of the measured two-tower Fashion-MNIST runs: a CPU-sized
# schedule (8 epochs) on this machine.
_base_ = ['./resnet18-w16_fashion-mnist-id-ood.py']
model = dict(backbone=dict(base_channels=8), head=dict(in_channels=64))
train_cfg = dict(max_epochs=8, val_interval=8)
param_scheduler = dict(milestones=[5, 7])
