# MaKD detection extension [ours] on COCO, for any mmdet detector without editing it: the aspect
# head of _base_/distill/makd_det_aspect-head.py on Faster R-CNN's 5 FPN levels (5 x 256 pooled
# channels -> Q=50 aspect logits). The paper's detection design is not public (see
# projects/makd/README.md).
# Targets: python tools/makd/extract_aspect_logits.py Qwen2.5-VL-7B-Instruct questions_coco.txt \
#   work_dirs/makd_targets/qwen2.5-vl-7b_coco_train2017 --dataset-config THIS_CONFIG
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', './_base_/distill/makd_det_aspect-head.py'
]
num_aspects = 50
aspect_store = 'work_dirs/makd_targets/qwen2.5-vl-7b_coco_train2017/teacher_store'
distiller = _base_.distiller
distiller.teachers.mllm.store = aspect_store
distiller.connectors.aspect_head.update(in_channels=5 * 256, out_channels=num_aspects)
model = dict(distiller, _delete_=True, student=_base_.model)
