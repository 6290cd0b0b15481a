# FitNets-style feature imitation on the FPN: RetinaNet R-18 (256-ch FPN) -> slim RetinaNet R-18
# (64-ch FPN), Fashion-tile detection. The student config is untouched; a 1x1 conv connector maps
# the student's 64 FPN channels to the teacher's 256 on all five levels.
#   1. train the teacher: python <mmdet>/.mim/tools/train.py \
#          configs/fashion_tiles/retinanet_r18_fpn_1500it_fashion-tiles.py
#   2. distil:            python <mmdet>/.mim/tools/train.py THIS_CONFIG
#   3. evaluate student:  python <mmdet>/.mim/tools/test.py \
#          configs/fashion_tiles/retinanet_r18_fpn64_1500it_fashion-tiles.py \
#          work_dirs/THIS_CONFIG_NAME/student_iter_1500.pth
_base_ = [
    '../fashion_tiles/retinanet_r18_fpn64_1500it_fashion-tiles.py', './_base_/distill/fitnet_fpn.py'
]

distiller = _base_.distiller
distiller.teachers.teacher.update(
    config='{{fileDirname}}/../fashion_tiles/retinanet_r18_fpn_1500it_fashion-tiles.py',
    checkpoint='work_dirs/retinanet_r18_fpn_1500it_fashion-tiles/iter_1500.pth')
distiller.connectors.fpn_regressor.update(in_channels=64, out_channels=256)
model = dict(distiller, _delete_=True, student=_base_.model)
