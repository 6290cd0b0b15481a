# The COCO MobileNetV2 transfer config on the Fashion-tile set (64x64 canvases of real
# Fashion-MNIST items, exact boxes and masks), small enough to run on a CPU:
#   python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles ...
#   python $(python -c "import mmdet, os; print(os.path.dirname(mmdet.__file__))")/.mim/tools/train.py \
#       configs/lgd/transfer/mask-rcnn_lgd-mnv2_fpn_fashion-tiles.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=checkpoints/lgd_mnv2_mmdet.pth
_base_ = './mask-rcnn_lgd-mnv2_fpn_1x_coco.py'
data_root = 'data/fashion_tiles/'
metainfo = dict(classes=('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
                         'Sneaker', 'Bag', 'Ankle boot'))
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    roi_head=dict(bbox_head=dict(num_classes=10), mask_head=dict(num_classes=10)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo,
                 ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='images/'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, metainfo=metainfo,
                 ann_file='annotations/instances_val.json',
                 data_prefix=dict(img='images/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=200, val_interval=100)
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20)]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=100),
                     logger=dict(interval=10))
