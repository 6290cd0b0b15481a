# LVIS v0.5 Mask R-CNN transfer of an LGD-distilled ResNet-18, for the 1230-name vocabulary of the
# authors' TSB: mmdet's LVIS v0.5 data (LVISV05Dataset, annotations lvis_v0.5_{train,val}.json
# read by the `lvis` package) on the LVIS v1 recipe's 1x schedule (12 epochs, steps 8 and 11).
_base_ = [
    'mmdet::lvis/mask-rcnn_r50_fpn_sample1e-3_ms-2x_lvis-v0.5.py', './_base_/lgd_mask-rcnn_fpn.py'
]
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = _base_.lgd_r18_fpn
optim_wrapper = _base_.lgd_optim_wrapper
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[8, 11],
         gamma=0.1)
]
