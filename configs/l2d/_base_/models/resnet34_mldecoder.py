# ResNet-34 (ImageNet-pretrained) + ML-Decoder label-wise embedding head (L2D's student).
# The last stage's 7x7 map (out_indices=(3,), no neck) feeds the head; e is [N, C, 768].
# Place the mmpretrain ImageNet weights first (no download at run time):
#   https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth
# BCE as the original: summed over the N*C entries of a batch of 64. mmpretrain's head divides
# by N (avg_factor), so loss_weight=64 (the GLOBAL batch, also under DDP) restores the sum.
# L2D's torchvision ResNets do not zero-init the last BN of a block; the pretrained weights
# replace the init anyway.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=34, out_indices=(3, ), zero_init_residual=False,
        init_cfg=dict(type='Pretrained', prefix='backbone',
                      checkpoint='checkpoints/resnet34_8xb32_in1k_20210831-f257d4e6.pth')),
    head=dict(
        type='mmkd.MLDecoderClsHead', num_classes=80, in_channels=512, embed_dims=768,
        num_heads=8, ffn_dims=2048, dropout=0.1,
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=64.0)))
