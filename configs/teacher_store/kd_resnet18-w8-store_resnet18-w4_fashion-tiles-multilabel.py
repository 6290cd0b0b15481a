# Hinton KD from a replay store: the teacher's logits on K = 4 augmented views of every training
# image (the random `train_pipeline` of the base config) are computed once; each epoch the student
# gets one of those views, replayed exactly, with the teacher's stored logits: no teacher forward.
#
#   python tools/extract_teacher_outputs.py \
#       configs/teacher_store/kd_resnet18-w8-store_resnet18-w4_fashion-tiles-multilabel.py \
#       --views 4 --codec outputs=float16
#   python tools/train.py \
#       configs/teacher_store/kd_resnet18-w8-store_resnet18-w4_fashion-tiles-multilabel.py
_base_ = ['./resnet18-w4_fashion-tiles-multilabel.py']

teacher_checkpoint = 'work_dirs/resnet18-w8_fashion-tiles-multilabel_teacher/epoch_20.pth'
store = 'work_dirs/stores/resnet18-w8_fashion-tiles-multilabel_k4'

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        resnet18_w8=dict(
            type='StoreTeacher',
            store=store,
            teacher=dict(
                type='OpenMMLabTeacher',
                config='{{fileDirname}}/resnet18-w8_fashion-tiles-multilabel_teacher.py',
                checkpoint=teacher_checkpoint))),
    student_records=dict(logits='head'),
    distill_losses=dict(
        loss_kd=dict(
            type='KDLoss', tau=2.0, loss_weight=1.0,
            inputs=dict(preds_S='student.logits', preds_T='resnet18_w8.outputs'))))
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmkd.TeacherReplayDataset', store=store,
    dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1),
                dict(type='mmkd.TeacherReplayHook')]
