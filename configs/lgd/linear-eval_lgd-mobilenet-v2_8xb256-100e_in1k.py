# Linear evaluation of the distilled MobileNetV2 (1280-d pooled feature). mmpretrain's
# frozen_stages stops before the last 1x1 conv (conv2): its lr is set to 0 instead, and BN stays in
# eval mode everywhere (norm_eval), so the whole backbone is fixed.
_base_ = ['./linear-eval_lgd-resnet18_8xb256-100e_in1k.py']
student_checkpoint = 'work_dirs/lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k/student_epoch_200.pth'
model = dict(
    backbone=dict(
        _delete_=True, type='MobileNetV2', widen_factor=1.0, frozen_stages=7, norm_eval=True,
        init_cfg=dict(type='Pretrained', prefix='backbone.', checkpoint=student_checkpoint)),
    head=dict(in_channels=1280))
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'backbone.conv2': dict(lr_mult=0.)}))
