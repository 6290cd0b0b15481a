# ResNet-101 (ImageNet-pretrained) + ML-Decoder label-wise embedding head (L2D's teacher).
# The last stage's 7x7 map (out_indices=(3,), no neck) feeds the head; e is [N, C, 768].
# Place the mmpretrain ImageNet weights first (no download at run time):
#   https://download.openmmlab.com/mmclassification/v0/resnet/resnet101_8xb32_in1k_20210831-539c63f8.pth
# BCE as the original: summed over the N*C entries of a batch of 64. mmpretrain's head divides
# by N (avg_factor), so loss_weight=64 restores the sum.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=101, out_indices=(3, ),
        init_cfg=dict(type='Pretrained', prefix='backbone',
                      checkpoint='checkpoints/resnet101_8xb32_in1k_20210831-539c63f8.pth')),
    head=dict(
        type='mmkd.MLDecoderClsHead', num_classes=80, in_channels=2048, embed_dims=768,
        num_heads=8, ffn_dims=2048, dropout=0.1,
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=64.0)))
