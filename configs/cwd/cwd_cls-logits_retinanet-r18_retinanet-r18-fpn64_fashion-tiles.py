# Channel-wise distillation of the dense classification logits of a detector: RetinaNet R-18 ->
# slim RetinaNet R-18, Fashion-tile detection. `bbox_head.retina_cls` runs once per FPN level, so
# each record is a tuple of five [N, anchors x classes, H, W] maps; the loss sums over levels.
_base_ = ['../fitnet/fitnet_fpn_retinanet-r18_retinanet-r18-fpn64_fashion-tiles.py']

model = dict(
    teachers=dict(teacher=dict(records=dict(_delete_=True, cls_logits='bbox_head.retina_cls'))),
    student_records=dict(_delete_=True, cls_logits='bbox_head.retina_cls'),
    connectors=None,
    distill_losses=dict(
        _delete_=True,
        loss_cwd=dict(
            type='ChannelWiseDivergence',
            tau=1.0,
            loss_weight=1.0,
            inputs=dict(preds_S='student.cls_logits', preds_T='teacher.cls_logits'))))
