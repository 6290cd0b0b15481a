# Linear evaluation of the distilled EfficientNet-B0 (1280-d pooled feature), all 7 layers frozen.
_base_ = ['./linear-eval_lgd-resnet18_8xb256-100e_in1k.py']
student_checkpoint = ('work_dirs/lgd_clip-rn50_efficientnet-b0_8xb256-200e_in1k/'
                      'student_epoch_200.pth')
model = dict(
    backbone=dict(
        _delete_=True, type='EfficientNet', arch='b0', frozen_stages=7, norm_eval=True,
        init_cfg=dict(type='Pretrained', prefix='backbone.', checkpoint=student_checkpoint)),
    head=dict(in_channels=1280))
