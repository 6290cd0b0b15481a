# Fashion tiles, COCO format: real Fashion-MNIST garments pasted on 64x64 canvases, exact boxes.
# Make them with: python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles
dataset_type = 'CocoDataset'
data_root = 'data/fashion_tiles/'
metainfo = dict(classes=('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
                         'Shirt', 'Sneaker', 'Bag', 'Ankle boot'))
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(64, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
tiles = dict(type=dataset_type, data_root=data_root, metainfo=metainfo,
             data_prefix=dict(img='images/'), backend_args=backend_args)
# 64-pixel images load in no time: no worker processes needed
loader = dict(batch_size=8, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    loader,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(tiles, ann_file='annotations/instances_train.json',
                 filter_cfg=dict(filter_empty_gt=True, min_size=1), pipeline=train_pipeline))
val_dataloader = dict(
    loader,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(tiles, ann_file='annotations/instances_val.json', test_mode=True,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric='bbox',
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
