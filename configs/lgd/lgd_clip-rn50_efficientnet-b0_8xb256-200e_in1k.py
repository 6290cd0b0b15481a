# LGD, CLIP RN50 -> EfficientNet-B0 (mmpretrain layout; 1280-d pooled feature).
_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
model = dict(student=dict(
    backbone=dict(_delete_=True, type='EfficientNet', arch='b0'),
    head=dict(in_channels=1280)))
