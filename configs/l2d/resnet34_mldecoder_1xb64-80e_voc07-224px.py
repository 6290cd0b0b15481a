# L2D's student without distillation (the BCE baseline): ImageNet-pretrained ResNet-34 +
# ML-Decoder head, 80 epochs of the one-cycle schedule.
_base_ = [
    './_base_/models/resnet34_mldecoder.py', './_base_/datasets/voc07_l2d_224px.py',
    './_base_/schedules/adam_onecycle_80e.py', './_base_/default_runtime.py'
]

model = dict(head=dict(num_classes=20))
