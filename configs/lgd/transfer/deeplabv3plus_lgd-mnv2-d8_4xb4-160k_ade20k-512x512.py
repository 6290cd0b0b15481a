# ADE20K DeepLabV3+ transfer of an LGD-distilled MobileNetV2.
_base_ = 'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3plus_4xb4-160k_ade20k-512x512.py'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    pretrained=None,
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_mnv2_mmseg.pth')))
