# As the ResNet-18 Pets config, with ResNet-34. Paper: 79.07 -> 82.78 top-1.
_base_ = ['./makd_internvl2.5-8b_resnet18_1xb16-240e_oxford-pets.py']
model = dict(backbone=dict(depth=34))
