# The baseline of the MaKD table on cub: the same ResNet-18, data and schedule, CE only, a
# 200-way head. Paper: 53.83 top-1.
_base_ = [
    './_base_/models/resnet18_ce.py', './_base_/datasets/cub_bs16_224px.py',
    './_base_/schedule_sgd-240e.py', 'mmpretrain::_base_/default_runtime.py'
]
model = dict(head=dict(num_classes=200))
