# LGD's Mask R-CNN transfer settings (mZhenz/LGD mmdetection/configs/{mask_rcnn,lvis}/*, mmdet
# 2.23, in mmdet 3.x terms), for the configs beside this folder: AdamW lr 2e-4, weight decay 1e-4,
# backbone lr x0.1, gradient clip 0.1, with the distilled backbone in the model overrides below.
# A config that inherits an mmdet Mask R-CNN config and this file takes one of them:
#   model = _base_.lgd_r18_fpn        (or lgd_mnv2_fpn, lgd_effb0_fpn)
#   optim_wrapper = _base_.lgd_optim_wrapper
lgd_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1, norm_type=2))
# ResNet-18 (torchvision layout = mmdet's ResNet): frozen stem + stage 1, BN in eval.
lgd_r18_fpn = dict(
    backbone=dict(
        depth=18, frozen_stages=1, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_r18_mmdet.pth')),
    neck=dict(in_channels=[64, 128, 256, 512]))
# MobileNetV2: stages 3/5/7 (32/96/320 channels, strides 8/16/32) into a 3-level FPN. ReLU6 as in
# pre-training (upstream used LeakyReLU here, copied from YOLOv3: spec pitfall 5).
lgd_mnv2_fpn = dict(
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
# EfficientNet-B0 (mmpretrain / mmdet layout, identical keys): layers 3/4/5 (40/112/320
# channels, strides 8/16/32) into the 3-level FPN of the MobileNetV2 settings.
lgd_effb0_fpn = dict(
    lgd_mnv2_fpn,
    backbone=dict(
        _delete_=True,
        type='EfficientNet',
        arch='b0',
        out_indices=(3, 4, 5),
        frozen_stages=0,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_effb0_mmdet.pth')),
    neck=dict(in_channels=[40, 112, 320], num_outs=3))
