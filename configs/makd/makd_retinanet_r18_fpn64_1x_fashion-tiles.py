# MaKD detection extension on the Fashion-tile set, runnable on a CPU: the slim RetinaNet R-18 of
# retinanet_r18_fpn64_1x_fashion-tiles.py with an image-level aspect head on its 5 FPN levels
# (5 x 64 pooled channels -> 16 aspects), BCE (alpha = 4) against the MLLM's yes-probabilities.
# Targets: python tools/makd/extract_aspect_logits.py MODEL \
#            configs/makd/questions/fashion-mnist_q16.txt \
#            work_dirs/makd_targets/fashion-tiles_train --dataset-config THIS_CONFIG
# Train:   python <mmdet>/.mim/tools/train.py THIS_CONFIG
_base_ = ['./retinanet_r18_fpn64_1x_fashion-tiles.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]

num_aspects = 16
aspect_store = 'work_dirs/makd_targets/fashion-tiles_train/teacher_store'
model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(mllm=dict(type='StoreTeacher', store=aspect_store, records=['aspect_probs'])),
    student_records=dict(neck='neck'),
    connectors=dict(aspect_head=dict(type='PoolLinearConnector', in_channels=5 * 64,
                                     out_channels=num_aspects, source='student.neck')),
    distill_losses=dict(loss_aspect=dict(
        type='AspectBCELoss', loss_weight=4.0,
        inputs=dict(preds_S='connectors.aspect_head', preds_T='mllm.aspect_probs'))))
