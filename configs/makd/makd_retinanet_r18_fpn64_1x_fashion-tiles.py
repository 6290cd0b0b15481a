# MaKD detection extension on the Fashion-tile set, runnable on a CPU: the slim RetinaNet R-18 of
# retinanet_r18_fpn64_1x_fashion-tiles.py with an image-level aspect head on its 5 FPN levels
# (5 x 64 pooled channels -> 16 aspects), BCE (alpha = 4) against the MLLM's yes-probabilities.
# Targets: python tools/makd/extract_aspect_logits.py MODEL \
#            configs/makd/questions/fashion-mnist_q16.txt \
#            work_dirs/makd_targets/fashion-tiles_train --dataset-config THIS_CONFIG
# Train:   python <mmdet>/.mim/tools/train.py THIS_CONFIG
_base_ = ['./retinanet_r18_fpn64_1x_fashion-tiles.py', './_base_/distill/makd_det_aspect-head.py']
num_aspects = 16
aspect_store = 'work_dirs/makd_targets/fashion-tiles_train/teacher_store'
distiller = _base_.distiller
distiller.teachers.mllm.store = aspect_store
distiller.connectors.aspect_head.update(in_channels=5 * 64, out_channels=num_aspects)
model = dict(distiller, _delete_=True, student=_base_.model)
