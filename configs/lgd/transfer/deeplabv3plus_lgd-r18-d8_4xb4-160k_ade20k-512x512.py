# ADE20K DeepLabV3+ transfer of an LGD-distilled ResNet-18 (r18b-style heads on mmseg's ADE20K
# 160k schedule).
_base_ = 'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb4-160k_ade20k-512x512.py'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    pretrained=None,
    backbone=dict(type='ResNet', depth=18,
                  init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_r18_mmseg.pth')),
    decode_head=dict(c1_in_channels=64, c1_channels=12, in_channels=512, channels=128),
    auxiliary_head=dict(in_channels=256, channels=64))
