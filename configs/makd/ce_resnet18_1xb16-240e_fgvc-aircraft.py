# The baseline of the MaKD table on fgvc-aircraft: the same ResNet-18, data and schedule, CE only, a
# 100-way head. Paper: 71.76 top-1.
_base_ = [
    './_base_/models/resnet18_ce.py', './_base_/datasets/fgvc-aircraft_bs16_224px.py',
    './_base_/schedule_sgd-240e.py', 'mmpretrain::_base_/default_runtime.py'
]
model = dict(head=dict(num_classes=100))
