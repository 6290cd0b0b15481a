# Cityscapes DeepLabV3+ transfer of an LGD-distilled MobileNetV2 (mmseg's MobileNetV2 has no final
# 1x1 conv2: the converter drops it and says so).
#   python tools/model_converters/lgd_to_backbone.py STUDENT.pth checkpoints/lgd_mnv2_mmseg.pth \
#       --arch mobilenet_v2 --layout mmseg --target-config THIS_CONFIG
_base_ = 'mmseg::mobilenet_v2/mobilenet-v2-d8_deeplabv3plus_4xb2-80k_cityscapes-512x1024.py'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    pretrained=None,
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_mnv2_mmseg.pth')))
