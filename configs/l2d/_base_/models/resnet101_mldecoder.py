# ResNet-101 (ImageNet-pretrained) + ML-Decoder label-wise embedding head (L2D's teacher): the
# student's block (resnet34_mldecoder.py) with a ResNet-101 and its 2048-channel last map.
# Place the mmpretrain ImageNet weights first (no download at run time):
#   https://download.openmmlab.com/mmclassification/v0/resnet/resnet101_8xb32_in1k_20210831-539c63f8.pth
_base_ = ['./resnet34_mldecoder.py']
model = dict(
    backbone=dict(depth=101, init_cfg=dict(
        checkpoint='checkpoints/resnet101_8xb32_in1k_20210831-539c63f8.pth')),
    head=dict(in_channels=2048))
