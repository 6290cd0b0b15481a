# FitNets-style FPN imitation on COCO: Faster R-CNN R-101 FPN (2x, 39.8 box AP) -> Faster R-CNN R-50
# FPN (1x), a full-scale recipe wrapping mmdet's own student config. Both FPNs have 256 channels:
# the 1x1 regressor gives the student's features room to differ from the teacher's up to a
# linear map. Teacher weights (strictly loaded, from a local file):
#   https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r101_fpn_2x_coco/faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth
#   -> checkpoints/faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth
#   bash tools/dist_train.sh THIS_CONFIG 8
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py', './_base_/distill/fitnet_fpn.py'
]

distiller = _base_.distiller
distiller.teachers.teacher.update(
    config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py',
    checkpoint='checkpoints/faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398_20200504_210455-1d2dac9c.pth')  # noqa: E501
distiller.connectors.fpn_regressor.update(in_channels=256, out_channels=256)
model = dict(distiller, _delete_=True, student=_base_.model)
