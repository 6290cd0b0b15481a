# Cityscapes DeepLabV3+ transfer of an LGD-distilled ResNet-18 (plain torchvision-style ResNet, as
# mmseg's r18b config). LGD's mmseg code is not public (spec pitfall 14): framework and schedule
# are mmseg's standard ones for this backbone.
#   python tools/model_converters/lgd_to_backbone.py STUDENT.pth checkpoints/lgd_r18_mmseg.pth \
#       --arch resnet18 --layout mmseg --target-config THIS_CONFIG
_base_ = 'mmseg::deeplabv3plus/deeplabv3plus_r18b-d8_4xb2-80k_cityscapes-512x1024.py'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    pretrained=None,
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_r18_mmseg.pth')))
