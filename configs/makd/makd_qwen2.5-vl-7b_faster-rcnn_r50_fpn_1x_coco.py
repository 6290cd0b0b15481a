# MaKD detection extension [ours] on COCO, for any mmdet detector without editing it: an
# image-level aspect head on the detector's neck (global-average-pooled FPN levels, 5 x 256
# channels -> Q=50 aspect logits) trained with BCE (alpha = 4) against the MLLM's yes-probabilities,
# served by image id from the teacher store. The detector's own losses are unchanged; the aspect
# head is a distiller connector, so the exported student (StudentCheckpointHook) is the plain
# Faster R-CNN. The paper's detection design is not public (see projects/makd/README.md).
# Targets: python tools/makd/extract_aspect_logits.py Qwen2.5-VL-7B-Instruct questions_coco.txt \
#   work_dirs/makd_targets/qwen2.5-vl-7b_coco_train2017 --dataset-config THIS_CONFIG
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
num_aspects = 50
aspect_store = 'work_dirs/makd_targets/qwen2.5-vl-7b_coco_train2017/teacher_store'
model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(mllm=dict(type='StoreTeacher', store=aspect_store, records=['aspect_probs'])),
    student_records=dict(neck='neck'),
    connectors=dict(aspect_head=dict(type='PoolLinearConnector', in_channels=5 * 256,
                                     out_channels=num_aspects, source='student.neck')),
    distill_losses=dict(loss_aspect=dict(
        type='AspectBCELoss', loss_weight=4.0,
        inputs=dict(preds_S='connectors.aspect_head', preds_T='mllm.aspect_probs'))))
