# L2D on the Fashion-tile demo: the width-16 teacher distils into the width-8 student with
# BCE + 10 * MLD + 0.01 * (100 * CD + 1000 * ID). L2D's released config has lambda_le = 1; here
# (10 classes, 32/64-d embeddings, 1-4 labels a canvas) LED at weight 1 is ~6x the summed BCE
# from the first step and the student does not learn (mAP 33 vs 55 for BCE only, see
# projects/l2d/README.md), so LED is scaled down to a tenth of BCE's size.
# Train the teacher first (resnet18-w16_mldecoder_fashion-tiles.py); elsewhere pass
# --cfg-options model.teachers.teacher.checkpoint=PATH.
_base_ = ['./resnet18-w8_mldecoder_fashion-tiles-1k.py']

teacher_checkpoint = 'work_dirs/resnet18-w16_mldecoder_fashion-tiles/epoch_10.pth'

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        teacher=dict(
            type='OpenMMLabTeacher',
            config='{{fileDirname}}/resnet18-w16_mldecoder_fashion-tiles.py',
            checkpoint=teacher_checkpoint,
            records=dict(embeddings='head.decoder'))),
    # the head's output is the logits; its decoder's output the label-wise embeddings [N, C, D]
    student_records=dict(logits='head', embeddings='head.decoder'),
    distill_losses=dict(
        loss_mld=dict(
            type='MLDLoss', loss_weight=10.0,
            inputs=dict(preds_S='student.logits', preds_T='teacher.outputs')),
        loss_led=dict(
            type='LEDLoss', lambda_cd=100.0, lambda_id=1000.0, loss_weight=0.01,
            inputs=dict(embeddings_S='student.embeddings', embeddings_T='teacher.embeddings',
                        data_samples='data_samples'))))
