# FitNets-style imitation of every FPN level: a 1x1 conv regressor maps the student's FPN
# channels to the teacher's (the config sets in/out channels) and an MSE pulls them together.
# A config that inherits this file wraps its mmdet student with
#   distiller = _base_.distiller
#   distiller.teachers.teacher.update(config=TEACHER_CONFIG, checkpoint=TEACHER_CHECKPOINT)
#   distiller.connectors.fpn_regressor.update(in_channels=C_S, out_channels=C_T)
#   model = dict(distiller, _delete_=True, student=_base_.model)
distiller = dict(
    type='mmkd.KnowledgeDistiller',
    teachers=dict(teacher=dict(type='OpenMMLabTeacher', records=dict(fpn='neck'))),
    student_records=dict(fpn='neck'),
    connectors=dict(fpn_regressor=dict(type='ConvConnector', source='student.fpn')),
    distill_losses=dict(
        loss_fitnet=dict(
            type='FeatureImitationLoss',
            loss_weight=1.0,  # not tuned: check the loss magnitudes in the teacher report
            inputs=dict(preds_S='connectors.fpn_regressor', preds_T='teacher.fpn'))))
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
# student-only checkpoints (student_iter_N.pth) beside every checkpoint
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
