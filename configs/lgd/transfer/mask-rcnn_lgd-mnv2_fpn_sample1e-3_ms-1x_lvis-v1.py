# LVIS v1 Mask R-CNN transfer of an LGD-distilled MobileNetV2 (see the COCO MobileNetV2 config).
_base_ = './mask-rcnn_lgd-r18_fpn_sample1e-3_ms-1x_lvis-v1.py'
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
