# Fashion tiles, mmseg format: label maps with 0 = background and k + 1 = garment class k.
# Make them with: python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles
dataset_type = 'BaseSegDataset'
data_root = 'data/fashion_tiles/'
metainfo = dict(classes=('background', 'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
                         'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'))
crop_size = (64, 64)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
tiles = dict(type=dataset_type, data_root=data_root, metainfo=metainfo, img_suffix='.png',
             seg_map_suffix='.png')
# 64-pixel images load in no time: no worker processes needed
loader = dict(batch_size=8, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    loader,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(tiles, data_prefix=dict(img_path='images/train', seg_map_path='seg/train'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    loader,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(tiles, data_prefix=dict(img_path='images/val', seg_map_path='seg/val'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
