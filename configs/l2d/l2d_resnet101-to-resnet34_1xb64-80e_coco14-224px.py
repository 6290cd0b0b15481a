# L2D (ICCV 2023): ResNet-101 teacher -> ResNet-34 student, both with the ML-Decoder head, with
# L = BCE_sum + 10 * MLD + 1 * (100 * CD + 1000 * ID), the weights of L2D's released config
# (lambda_logits=10, lambda_le=1, lambda_cd=100, lambda_id=1000; the feature term is off).
# Train the teacher first (resnet101_mldecoder_1xb64-30e_coco14-224px.py); elsewhere pass
# --cfg-options model.teachers.teacher.checkpoint=PATH.
_base_ = ['./resnet34_mldecoder_1xb64-80e_coco14-224px.py']

teacher_checkpoint = 'work_dirs/resnet101_mldecoder_1xb64-30e_coco14-224px/epoch_30.pth'

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        teacher=dict(
            type='OpenMMLabTeacher',
            config='{{fileDirname}}/resnet101_mldecoder_1xb64-30e_coco14-224px.py',
            checkpoint=teacher_checkpoint,
            records=dict(embeddings='head.decoder'))),
    # the head's output is the logits; its decoder's output the label-wise embeddings [N, C, 768]
    student_records=dict(logits='head', embeddings='head.decoder'),
    distill_losses=dict(
        # per image, summed over classes, mean over the batch (reduction='mean')
        loss_mld=dict(
            type='MLDLoss', loss_weight=10.0,
            inputs=dict(preds_S='student.logits', preds_T='teacher.outputs')),
        # sums over classes (CD) and images (ID) of the global batch of 64 (reduction='sum')
        loss_led=dict(
            type='LEDLoss', lambda_cd=100.0, lambda_id=1000.0, loss_weight=1.0,
            inputs=dict(embeddings_S='student.embeddings', embeddings_T='teacher.embeddings',
                        data_samples='data_samples'))))
