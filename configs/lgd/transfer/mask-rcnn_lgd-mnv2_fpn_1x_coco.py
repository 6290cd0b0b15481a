# COCO 2017 Mask R-CNN transfer of an LGD-distilled MobileNetV2: stages 3/5/7 (32/96/320 channels,
# strides 8/16/32) into a 3-level FPN. ReLU6 as in pre-training (upstream used LeakyReLU here,
# copied from YOLOv3: spec pitfall 5).
#   python tools/model_converters/lgd_to_backbone.py STUDENT.pth checkpoints/lgd_mnv2_mmdet.pth \
#       --arch mobilenet_v2 --layout mmdet --target-config THIS_CONFIG
_base_ = './mask-rcnn_lgd-r18_fpn_1x_coco.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        out_indices=(2, 4, 6),
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_mnv2_mmdet.pth')),
    neck=dict(in_channels=[32, 96, 320], num_outs=3),
    rpn_head=dict(anchor_generator=dict(strides=[8, 16, 32])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=[8, 16, 32]),
        mask_roi_extractor=dict(featmap_strides=[8, 16, 32])))
