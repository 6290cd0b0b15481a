# LVIS v1 Mask R-CNN transfer of an LGD-distilled MobileNetV2 (see the COCO MobileNetV2 config).
_base_ = './mask-rcnn_lgd-r18_fpn_sample1e-3_ms-1x_lvis-v1.py'
model = _base_.lgd_mnv2_fpn
