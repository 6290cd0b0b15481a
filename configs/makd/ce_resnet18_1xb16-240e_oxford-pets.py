# The baseline of the MaKD table: the same student, data and schedule, CE only, a C-way head.
_base_ = ['./makd_qwen2.5-vl-7b_resnet18_1xb16-240e_oxford-pets.py']
model = dict(head=dict(_delete_=True, type='LinearClsHead', num_classes=37, in_channels=512,
                       loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, )))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=224, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
test_dataloader = val_dataloader
val_evaluator = [dict(type='Accuracy', topk=(1, ))]
test_evaluator = val_evaluator
