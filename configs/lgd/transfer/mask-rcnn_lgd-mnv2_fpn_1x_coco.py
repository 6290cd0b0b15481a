# COCO 2017 Mask R-CNN transfer of an LGD-distilled MobileNetV2: stages 3/5/7 (32/96/320 channels,
# strides 8/16/32) into a 3-level FPN, ReLU6 as in pre-training (see _base_/lgd_mask-rcnn_fpn.py).
#   python tools/model_converters/lgd_to_backbone.py STUDENT.pth checkpoints/lgd_mnv2_mmdet.pth \
#       --arch mobilenet_v2 --layout mmdet --target-config THIS_CONFIG
_base_ = './mask-rcnn_lgd-r18_fpn_1x_coco.py'
model = _base_.lgd_mnv2_fpn
