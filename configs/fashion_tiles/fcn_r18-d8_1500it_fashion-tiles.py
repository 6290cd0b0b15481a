# A plain mmseg config: FCN R-18-D8 on the Fashion-tile segmentation set, from scratch (offline).
# The student of configs/cwd/cwd_logits_pspnet-r18-d8_fcn-r18-d8_fashion-tiles.py.
_base_ = './pspnet_r18-d8_1500it_fashion-tiles.py'

norm_cfg = dict(type='BN', requires_grad=True)  # SyncBN needs CUDA
model = dict(
    decode_head=dict(
        _delete_=True,
        type='FCNHead',
        in_channels=512,
        in_index=3,
        channels=128,
        num_convs=2,
        concat_input=True,
        dropout_ratio=0.1,
        num_classes=11,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
