# Linear evaluation (LGD's main_lincls.py): frozen ResNet-18 in eval mode + a new linear head,
# SGD lr 30 per 256 images (240 at 8x256), no weight decay, 100 epochs, x0.1 at 60 and 80.
# ImageNet mean/std as upstream (pre-training used CLIP's: spec pitfall 4).
#   python tools/train.py configs/lgd/linear-eval_lgd-resnet18_8xb256-100e_in1k.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../student_epoch_200.pth
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py'
]
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=18, frozen_stages=4, norm_eval=True,
        init_cfg=dict(type='Pretrained', prefix='backbone.',
                      checkpoint='work_dirs/lgd_clip-rn50_resnet18_8xb256-200e_in1k/'
                                 'student_epoch_200.pth')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=512,
              loss=dict(type='CrossEntropyLoss'), init_cfg=dict(type='Normal', layer='Linear',
                                                                 std=0.01)))
train_dataloader = dict(batch_size=256, num_workers=8)
val_dataloader = dict(batch_size=256, num_workers=8)
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(type='SGD', lr=240., momentum=0.9, weight_decay=0.))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.125, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[60, 80], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=2048)
