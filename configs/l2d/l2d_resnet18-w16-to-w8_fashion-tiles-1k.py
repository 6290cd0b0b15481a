# L2D on the Fashion-tile demo: the width-16 teacher distils into the width-8 student with
# BCE + 10 * MLD + 0.01 * (100 * CD + 1000 * ID). L2D's released config has lambda_le = 1; here
# (10 classes, 32/64-d embeddings, 1-4 labels a canvas) LED at weight 1 is ~6x the summed BCE
# from the first step and swamps it (mAP 57.6 vs 74.2 for BCE only over 5 seeds, see
# projects/l2d/README.md), so LED is scaled down to about a tenth of BCE's size.
# Train the teacher first (resnet18-w16_mldecoder_fashion-tiles.py); elsewhere pass
# --cfg-options model.teachers.teacher.checkpoint=PATH.
_base_ = ['./resnet18-w8_mldecoder_fashion-tiles-1k.py', './_base_/distill/l2d_mld-led.py']

distiller = _base_.distiller
distiller.teachers.teacher.update(
    config='{{fileDirname}}/resnet18-w16_mldecoder_fashion-tiles.py',
    checkpoint='work_dirs/resnet18-w16_mldecoder_fashion-tiles/epoch_10.pth')
distiller.distill_losses.loss_led.loss_weight = 0.01
model = dict(distiller, _delete_=True, student=_base_.model)
