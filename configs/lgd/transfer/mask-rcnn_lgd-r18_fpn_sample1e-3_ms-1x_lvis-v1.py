# LVIS v1 Mask R-CNN transfer of an LGD-distilled ResNet-18: class-balanced sampling (1e-3),
# multi-scale 1333x{640..800}, 1203 classes, 300 detections at score 1e-4 (mmdet's LVIS base).
# Distil with the LVIS v1 vocabulary as TSB for this task (--classes mmdet.datasets.LVISV1Dataset,
# 1203 names, underscores removed; upstream used the 1230 LVIS v0.5 names: spec pitfall 11).
_base_ = 'mmdet::lvis/mask-rcnn_r50_fpn_sample1e-3_ms-1x_lvis-v1.py'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    backbone=dict(
        depth=18, frozen_stages=1, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/lgd_r18_mmdet.pth')),
    neck=dict(in_channels=[64, 128, 256, 512]))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1, norm_type=2))
