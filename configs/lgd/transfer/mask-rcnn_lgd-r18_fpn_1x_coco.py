# COCO 2017 Mask R-CNN transfer of an LGD-distilled ResNet-18 (LGD's mmdetection configs, in
# mmdet 3.x): frozen stem + stage 1, BN in eval, AdamW lr 2e-4 (backbone x0.1), clip 0.1, 1x.
#   python tools/model_converters/lgd_to_backbone.py STUDENT.pth checkpoints/lgd_r18_mmdet.pth \
#       --arch resnet18 --layout mmdet --target-config THIS_CONFIG
#   bash tools/dist_train.sh THIS_CONFIG 2   (upstream: 2 GPUs x 2 images)
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', './_base_/lgd_mask-rcnn_fpn.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = _base_.lgd_r18_fpn
optim_wrapper = _base_.lgd_optim_wrapper
auto_scale_lr = dict(enable=False, base_batch_size=4)
