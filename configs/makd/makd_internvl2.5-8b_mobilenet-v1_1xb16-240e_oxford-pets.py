# As the ResNet-18 Pets config, with a MobileNet-V1 (width 1.0) from scratch: timm's
# `mobilenetv1_100` through mmpretrain's TIMMBackbone (1024-channel last map; the original's
# mdistiller MobileNetV1 kept a fixed 1000-way FC, spec pitfall 9: the head here has C + Q).
# Paper: 78.12 -> 82.75 top-1.
_base_ = ['./makd_internvl2.5-8b_resnet18_1xb16-240e_oxford-pets.py']
model = dict(
    backbone=dict(_delete_=True, type='TIMMBackbone', model_name='mobilenetv1_100',
                  pretrained=False),
    head=dict(in_channels=1024))
