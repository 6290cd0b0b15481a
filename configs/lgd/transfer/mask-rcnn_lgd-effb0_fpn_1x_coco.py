# COCO 2017 Mask R-CNN transfer of an LGD-distilled EfficientNet-B0 (mmpretrain / mmdet layout,
# identical keys): layers 3/4/5 (40/112/320 channels, strides 8/16/32) into a 3-level FPN.
#   python tools/model_converters/lgd_to_backbone.py STUDENT.pth checkpoints/lgd_effb0_mmdet.pth \
#       --arch efficientnet_b0 --layout mmdet --target-config THIS_CONFIG
_base_ = './mask-rcnn_lgd-r18_fpn_1x_coco.py'
model = _base_.lgd_effb0_fpn
