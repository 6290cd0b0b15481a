# L2D's distillation (penghui-yang/L2D, configs/coco/resnet101_to_resnet34_l2d.py):
# L = BCE_sum + lambda_logits * MLD + lambda_le * (lambda_cd * CD + lambda_id * ID) with
# lambda_logits = 10, lambda_le = 1, lambda_cd = 100, lambda_id = 1000; the feature term is off.
# An ML-Decoder teacher and student: the head's output is the logits, its decoder's output the
# label-wise embeddings [N, C, D]. A config that inherits this file wraps its student with
#   distiller = _base_.distiller
#   distiller.teachers.teacher.update(config=TEACHER_CONFIG, checkpoint=TEACHER_CHECKPOINT)
#   model = dict(distiller, _delete_=True, student=_base_.model)
distiller = dict(
    type='mmkd.KnowledgeDistiller',
    teachers=dict(teacher=dict(type='OpenMMLabTeacher', records=dict(embeddings='head.decoder'))),
    student_records=dict(logits='head', embeddings='head.decoder'),
    distill_losses=dict(
        # per image, summed over classes, mean over the batch (reduction='mean')
        loss_mld=dict(
            type='MLDLoss', loss_weight=10.0,
            inputs=dict(preds_S='student.logits', preds_T='teacher.outputs')),
        # sums over classes (CD, on the batch gathered from every rank) and images (ID)
        loss_led=dict(
            type='LEDLoss', lambda_cd=100.0, lambda_id=1000.0, loss_weight=1.0,
            inputs=dict(embeddings_S='student.embeddings', embeddings_T='teacher.embeddings',
                        data_samples='data_samples'))))
