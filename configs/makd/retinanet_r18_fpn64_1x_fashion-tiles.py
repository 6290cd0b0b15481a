# A plain mmdet config: a slim RetinaNet R-18 from scratch (64-channel FPN and head) on the
# Fashion-tile set (real Fashion-MNIST garments on 64 px canvases, exact boxes); the student of
# makd_retinanet_r18_fpn64_1x_fashion-tiles.py, and the config its exported student loads into.
# Data: python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles
_base_ = ['mmdet::retinanet/retinanet_r18_fpn_1x_coco.py']

data_root = 'data/fashion_tiles/'
classes = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle boot')
model = dict(
    backbone=dict(init_cfg=None),
    neck=dict(out_channels=64),
    bbox_head=dict(num_classes=10, in_channels=64, feat_channels=64, stacked_convs=2))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
dataset = dict(type='CocoDataset', data_root=data_root, metainfo=dict(classes=classes),
               data_prefix=dict(img='images/'))
train_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(dataset, ann_file='annotations/instances_train.json',
                 filter_cfg=dict(filter_empty_gt=True, min_size=1), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=0, persistent_workers=False,
    dataset=dict(dataset, ann_file='annotations/instances_val.json', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
optim_wrapper = dict(optimizer=dict(lr=0.02))
train_cfg = dict(max_epochs=12)
