# LVIS v1 Mask R-CNN transfer of an LGD-distilled ResNet-18 (the authors' configs use LVIS v1):
# class-balanced sampling (1e-3), multi-scale 1333x{640..800}, 1203 classes, 300 detections at
# score 1e-4 (mmdet's LVIS base). Pre-train with the LVIS vocabulary as TSB for this task; the
# authors' TSB had the 1230 LVIS v0.5 names (spec pitfall 11): --classes
# mmdet.datasets.LVISV05Dataset gives those, mmdet.datasets.LVISV1Dataset the 1203 v1 names
# (projects/lgd/README.md).
_base_ = [
    'mmdet::lvis/mask-rcnn_r50_fpn_sample1e-3_ms-1x_lvis-v1.py', './_base_/lgd_mask-rcnn_fpn.py'
]
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = _base_.lgd_r18_fpn
optim_wrapper = _base_.lgd_optim_wrapper
