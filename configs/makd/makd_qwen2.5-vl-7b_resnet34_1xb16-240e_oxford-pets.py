# As the ResNet-18 config, with ResNet-34. Paper: 79.07 -> 82.78 top-1.
_base_ = ['./makd_qwen2.5-vl-7b_resnet18_1xb16-240e_oxford-pets.py']
model = dict(backbone=dict(depth=34))
