# Hinton KD, transfer-set protocol: the student of `resnet18-w4_fashion-mnist-1k_ce.py` keeps its
# 1000 labelled images (cross-entropy) and is distilled from the teacher of
# `resnet18-w8_fashion-mnist-10k_teacher.py` on 10 000 further, unlabelled images
# (the last 10 000 of the training set, which the teacher never saw).
_base_ = ['./resnet18-w4_fashion-mnist-1k_ce.py']
# Lets the stock mmpretrain tools/train.py run this config too.
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)

teacher_config = '{{fileDirname}}/resnet18-w8_fashion-mnist-10k_teacher.py'
teacher_checkpoint = 'work_dirs/resnet18-w8_fashion-mnist-10k_teacher/epoch_4.pth'

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        resnet18_w8=dict(
            type='OpenMMLabTeacher', config=teacher_config, checkpoint=teacher_checkpoint)),
    student_records=dict(logits='head'),
    distill_losses=dict(
        loss_kd=dict(
            type='KDLoss', tau=2.0, loss_weight=1.0,
            inputs=dict(preds_S='student.logits', preds_T='resnet18_w8.outputs'))))

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmkd.TransferSetDataset',
        labeled={{_base_.train_dataloader.dataset}},
        transfer=dict(
            type={{_base_.dataset_type}}, data_root={{_base_.data_root}}, split='train',
            download=False, indices=-10000, pipeline={{_base_.train_pipeline}})))
param_scheduler = dict(T_max=6)
# validation every epoch: the demo's curve of test accuracy during training
train_cfg = dict(max_epochs=6, val_interval=1)
default_hooks = dict(checkpoint=dict(interval=6))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
