# L2D (ICCV 2023): ResNet-101 teacher -> ResNet-34 student, both with the ML-Decoder head, with
# L2D's released weights (see _base_/distill/l2d_mld-led.py). Train the teacher first
# (resnet101_mldecoder_1xb64-30e_nus-wide-224px.py); elsewhere pass
# --cfg-options model.teachers.teacher.checkpoint=PATH. Multi-GPU: see projects/l2d/README.md.
_base_ = ['./resnet34_mldecoder_1xb64-80e_nus-wide-224px.py', './_base_/distill/l2d_mld-led.py']

distiller = _base_.distiller
distiller.teachers.teacher.update(
    config='{{fileDirname}}/resnet101_mldecoder_1xb64-30e_nus-wide-224px.py',
    checkpoint='work_dirs/resnet101_mldecoder_1xb64-30e_nus-wide-224px/epoch_30.pth')
model = dict(distiller, _delete_=True, student=_base_.model)
