# The Cityscapes MobileNetV2 transfer config on the Fashion-tile semantic maps (0 = background,
# k + 1 = Fashion-MNIST class k), 64x64, CPU-sized:
#   python $(python -c "import mmseg, os; print(os.path.dirname(mmseg.__file__))")/.mim/tools/train.py \
#       configs/lgd/transfer/deeplabv3plus_lgd-mnv2-d8_fashion-tiles.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=checkpoints/lgd_mnv2_mmseg.pth
_base_ = './deeplabv3plus_lgd-mnv2-d8_4xb2-80k_cityscapes-512x1024.py'
data_root = 'data/fashion_tiles/'
metainfo = dict(classes=('background', 'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
                         'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'))
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(norm_cfg=norm_cfg),
    decode_head=dict(num_classes=11, norm_cfg=norm_cfg),
    auxiliary_head=dict(num_classes=11, norm_cfg=norm_cfg))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
dataset = dict(type='BaseSegDataset', data_root=data_root, metainfo=metainfo,
               img_suffix='.png', seg_map_suffix='.png')
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(dataset, data_prefix=dict(img_path='images/train', seg_map_path='seg/train'),
                 pipeline=train_pipeline, _delete_=True))
val_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(dataset, data_prefix=dict(img_path='images/val', seg_map_path='seg/val'),
                 pipeline=test_pipeline, _delete_=True))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=200, val_interval=100)
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=200,
                        by_epoch=False)]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=100),
                     logger=dict(interval=10))
