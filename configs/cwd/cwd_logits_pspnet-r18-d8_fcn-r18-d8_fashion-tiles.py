# Channel-wise distillation of segmentation logits: PSPNet R-18-D8 -> FCN R-18-D8, Fashion-tile
# segmentation (11 classes with background). Each class channel becomes a distribution over pixels.
#   1. train the teacher: python <mmseg>/.mim/tools/train.py \
#          configs/fashion_tiles/pspnet_r18-d8_1500it_fashion-tiles.py
#   2. distil:            python <mmseg>/.mim/tools/train.py THIS_CONFIG
#   3. evaluate student:  python <mmseg>/.mim/tools/test.py \
#          configs/fashion_tiles/fcn_r18-d8_1500it_fashion-tiles.py \
#          work_dirs/THIS_CONFIG_NAME/student_iter_1500.pth
_base_ = [
    '../fashion_tiles/fcn_r18-d8_1500it_fashion-tiles.py', './_base_/distill/cwd_seg-logits_tau4.py'
]

distiller = _base_.distiller
distiller.teachers.teacher.update(
    config='{{fileDirname}}/../fashion_tiles/pspnet_r18-d8_1500it_fashion-tiles.py',
    checkpoint='work_dirs/pspnet_r18-d8_1500it_fashion-tiles/iter_1500.pth')
model = dict(distiller, _delete_=True, student=_base_.model)
