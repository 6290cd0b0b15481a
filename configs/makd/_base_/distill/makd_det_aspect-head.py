# MaKD's detection extension [ours]: an image-level aspect head on the detector's neck (the FPN
# levels, global-average-pooled and concatenated -> Q aspect logits) trained with BCE (alpha = 4)
# against the MLLM's yes-probabilities, served by image id from a teacher store. The detector's
# own losses are unchanged; the aspect head is a distiller connector, so the exported student
# (StudentCheckpointHook) is the plain detector. A config that inherits this file sets the store
# and the head's sizes:
#   distiller = _base_.distiller
#   distiller.teachers.mllm.store = STORE
#   distiller.connectors.aspect_head.update(in_channels=LEVELS * C, out_channels=Q)
#   model = dict(distiller, _delete_=True, student=_base_.model)
distiller = dict(
    type='mmkd.KnowledgeDistiller',
    teachers=dict(mllm=dict(type='StoreTeacher', records=['aspect_probs'])),
    student_records=dict(neck='neck'),
    connectors=dict(aspect_head=dict(type='PoolLinearConnector', source='student.neck')),
    distill_losses=dict(loss_aspect=dict(
        type='AspectBCELoss', loss_weight=4.0,
        inputs=dict(preds_S='connectors.aspect_head', preds_T='mllm.aspect_probs'))))
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
