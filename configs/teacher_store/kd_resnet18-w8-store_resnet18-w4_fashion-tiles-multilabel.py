# Hinton KD from an offline teacher store: the teacher's logits are computed once on the
# deterministic view and read every epoch, so a training step costs no teacher forward.
#
#   python tools/extract_teacher_outputs.py \
#       configs/teacher_store/kd_resnet18-w8-store_resnet18-w4_fashion-tiles-multilabel.py
#   python tools/train.py \
#       configs/teacher_store/kd_resnet18-w8-store_resnet18-w4_fashion-tiles-multilabel.py
#
# The store serves only the view it was extracted on: training here uses that deterministic view.
# With the random `train_pipeline` of the base config, StoreTeacher runs the live teacher instead
# (and says so in the teacher report).
_base_ = ['./resnet18-w4_fashion-tiles-multilabel.py']

teacher_checkpoint = 'work_dirs/resnet18-w8_fashion-tiles-multilabel_teacher/epoch_20.pth'
store = 'work_dirs/stores/resnet18-w8_fashion-tiles-multilabel'
train_pipeline = {{_base_.test_pipeline}}

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        resnet18_w8=dict(
            type='StoreTeacher',
            store=store,
            pipeline=train_pipeline,
            teacher=dict(
                type='OpenMMLabTeacher',
                config='{{fileDirname}}/resnet18-w8_fashion-tiles-multilabel_teacher.py',
                checkpoint=teacher_checkpoint))),
    student_records=dict(logits='head'),
    distill_losses=dict(
        loss_kd=dict(
            type='KDLoss', tau=2.0, loss_weight=1.0,
            inputs=dict(preds_S='student.logits', preds_T='resnet18_w8.outputs'))))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
