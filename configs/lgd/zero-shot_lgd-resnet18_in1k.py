# Zero-shot ImageNet top-1 of a distilled student through its Textual Semantics Bank:
#   python tools/test.py configs/lgd/zero-shot_lgd-resnet18_in1k.py \
#       work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k/student_epoch_200.pth
_base_ = ['./_base_/datasets/in1k_unlabeled_mocov2-aug.py', './_base_/default_runtime.py']
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='mmkd.ZeroShotClsHead', in_channels=512, embed_dim=1024,
              text_bank='work_dirs/text_banks/in1k_clip-rn50.pt'))
custom_hooks = []
test_cfg = dict()
