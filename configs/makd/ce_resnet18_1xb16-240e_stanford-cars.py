# The baseline of the MaKD table on stanford-cars: the same ResNet-18, data and schedule, CE only, a
# 196-way head. Paper: 77.53 top-1.
_base_ = [
    './_base_/models/resnet18_ce.py', './_base_/datasets/stanford-cars_bs16_224px.py',
    './_base_/schedule_sgd-240e.py', 'mmpretrain::_base_/default_runtime.py'
]
model = dict(head=dict(num_classes=196))
