# L2D's teacher: ImageNet-pretrained ResNet-101 + ML-Decoder head trained with BCE. As in L2D it
# runs the first 30 epochs of the 80-epoch one-cycle schedule (stop_epoch_t=30) and the last
# weights are the teacher.
_base_ = [
    './_base_/models/resnet101_mldecoder.py', './_base_/datasets/voc07_l2d_224px.py',
    './_base_/schedules/adam_onecycle_80e.py', './_base_/default_runtime.py'
]

model = dict(head=dict(num_classes=20))
train_cfg = dict(max_epochs=30)
