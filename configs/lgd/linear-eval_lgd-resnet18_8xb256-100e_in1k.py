# Linear evaluation (LGD's main_lincls.py): the distilled ResNet-18, frozen and in eval mode, + a
# new linear head ~ N(0, 0.01), on ImageNet-1k with labels:
#   bash tools/dist_train.sh configs/lgd/linear-eval_lgd-resnet18_8xb256-100e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../student_epoch_200.pth
_base_ = [
    './_base_/datasets/in1k_linear-eval.py', './_base_/schedules/linear-eval_sgd-100e_step60-80.py',
    'mmpretrain::_base_/default_runtime.py'
]
student_checkpoint = 'work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k/student_epoch_200.pth'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=18, frozen_stages=4, norm_eval=True,
        init_cfg=dict(type='Pretrained', prefix='backbone.', checkpoint=student_checkpoint)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=512,
              loss=dict(type='CrossEntropyLoss'),
              init_cfg=dict(type='Normal', layer='Linear', std=0.01)))
