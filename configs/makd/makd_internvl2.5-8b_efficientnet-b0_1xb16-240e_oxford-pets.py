# As the ResNet-18 Pets config, with an EfficientNet-B0 student from scratch (the paper's
# "EfficientNet" column; its exact variant is not stated). Paper: 83.42 -> 85.27 top-1.
_base_ = ['./makd_internvl2.5-8b_resnet18_1xb16-240e_oxford-pets.py']
model = dict(
    backbone=dict(_delete_=True, type='EfficientNet', arch='b0'),
    head=dict(in_channels=1280))
