# A plain mmdet config: a slim RetinaNet R-18 (64-channel FPN and head) on the Fashion-tile set.
# The student of configs/fitnet/fitnet_fpn_retinanet-r18_retinanet-r18-fpn64_fashion-tiles.py.
_base_ = './retinanet_r18_fpn_1500it_fashion-tiles.py'

model = dict(
    neck=dict(out_channels=64),
    bbox_head=dict(in_channels=64, feat_channels=64, stacked_convs=2))
