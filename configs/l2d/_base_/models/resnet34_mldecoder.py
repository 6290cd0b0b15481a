# ResNet-34 (ImageNet-pretrained) + ML-Decoder label-wise embedding head (L2D's student).
#   https://download.openmmlab.com/mmclassification/v0/resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth
# BCE summed over N*C as the original (see resnet101_mldecoder.py).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=34, out_indices=(3, ),
        init_cfg=dict(type='Pretrained', prefix='backbone',
                      checkpoint='checkpoints/resnet34_8xb32_in1k_20210831-f257d4e6.pth')),
    head=dict(
        type='mmkd.MLDecoderClsHead', num_classes=80, in_channels=512, embed_dims=768,
        num_heads=8, ffn_dims=2048, dropout=0.1,
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=64.0)))
