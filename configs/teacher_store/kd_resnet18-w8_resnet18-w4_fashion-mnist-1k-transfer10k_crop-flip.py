# The Hinton KD transfer-set protocol of configs/hinton_kd/ (teacher ResNet-18 w8, student w4,
# 1000 labels + 10 000 unlabelled transfer images, T = 2) with an augmented training view: a random
# 28x28 crop of the image padded by 3 pixels, and a horizontal flip. The live teacher runs on every
# augmented batch. Compared against the same run served from a replay store
# (`kd-replay_..._crop-flip.py`) by tools/analysis/replay_store_accuracy.py.
_base_ = ['../hinton_kd/kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k.py']
crop_flip_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=3),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(labeled=dict(pipeline=crop_flip_pipeline),
                                     transfer=dict(pipeline=crop_flip_pipeline)))
