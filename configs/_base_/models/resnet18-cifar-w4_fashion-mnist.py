_base_ = ['./resnet18-cifar-w8_fashion-mnist.py']
# 4 base channels (0.04 M parameters): the student.
model = dict(
    backbone=dict(stem_channels=4, base_channels=4),
    head=dict(in_channels=32))
