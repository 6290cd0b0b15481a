# The student alone: ResNet-18 (CIFAR stem, 4 base channels), same data and schedule.
_base_ = ['./resnet18-w8_fashion-tiles-multilabel_teacher.py']
model = dict(backbone=dict(stem_channels=4, base_channels=4), head=dict(in_channels=32))
