# FitNets-style FPN imitation on COCO: Faster R-CNN R-101 FPN (2x, 39.8 box AP) -> Faster R-CNN R-50
# FPN (1x), a full-scale recipe wrapping mmdet's own student config.
# Teacher weights (strictly loaded, from a local file):
#   https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_2x_coco/faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth
#   -> checkpoints/faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth
#   bash tools/dist_train.sh THIS_CONFIG 8
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)

teacher_cfg = 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py'
teacher_ckpt = 'checkpoints/faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth'  # noqa: E501

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        teacher=dict(
            type='OpenMMLabTeacher',
            config=teacher_cfg,
            checkpoint=teacher_ckpt,
            records=dict(fpn='neck'))),
    student_records=dict(fpn='neck'),
    # FitNets' regressor: both FPNs have 256 channels, the 1x1 conv gives the student's features
    # room to differ from the teacher's up to a linear map
    connectors=dict(
        fpn_regressor=dict(
            type='ConvConnector', source='student.fpn', in_channels=256, out_channels=256)),
    distill_losses=dict(
        loss_fitnet=dict(
            type='FeatureImitationLoss',
            loss_weight=1.0,  # not tuned: check the loss magnitudes in the teacher report
            inputs=dict(preds_S='connectors.fpn_regressor', preds_T='teacher.fpn'))))

custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
