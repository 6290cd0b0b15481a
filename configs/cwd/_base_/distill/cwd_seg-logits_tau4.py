# Channel-wise distillation (Shu et al., ICCV 2021) of segmentation logits, the paper's setting:
# each class channel of `decode_head.conv_seg` becomes a softmax over pixels at tau = 4, KL
# weighted 3. A config that inherits this file wraps its mmseg student with
#   distiller = _base_.distiller
#   distiller.teachers.teacher.update(config=TEACHER_CONFIG, checkpoint=TEACHER_CHECKPOINT)
#   model = dict(distiller, _delete_=True, student=_base_.model)
distiller = dict(
    type='mmkd.KnowledgeDistiller',
    teachers=dict(
        teacher=dict(type='OpenMMLabTeacher', records=dict(logits='decode_head.conv_seg'))),
    student_records=dict(logits='decode_head.conv_seg'),
    distill_losses=dict(
        loss_cwd=dict(
            type='ChannelWiseDivergence',
            tau=4.0,
            loss_weight=3.0,
            inputs=dict(preds_S='student.logits', preds_T='teacher.logits'))))
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
# student-only checkpoints (student_iter_N.pth) beside every checkpoint
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
