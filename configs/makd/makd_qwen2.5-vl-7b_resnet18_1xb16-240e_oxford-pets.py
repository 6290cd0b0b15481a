# MaKD, paper setting: ResNet-18 from scratch, C=37 classes + Q=50 aspects, CE (1.0) + BCE (4.0) on
# Qwen2.5-VL-7B-Instruct yes-probabilities, SGD 0.01, 240 epochs, batch 16, 224 px.
# Paper (InternVL2-8B targets, mean of 3 runs): 77.07 -> 82.24 top-1.
_base_ = [
    './_base_/models/resnet18_aspect-head.py',
    './_base_/datasets/oxford-pets_bs16_224_aspects.py',
    './_base_/schedule_sgd-240e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(head=dict(num_classes=37, num_aspects=50))
