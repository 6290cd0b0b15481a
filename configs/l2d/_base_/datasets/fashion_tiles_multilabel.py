# The Fashion-tile multi-label set: 64 px canvases (2 x 2 cells) with 1-4 real Fashion-MNIST garments, labels =
# which of the 10 classes appear. Make it with
#   python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles \
#       --num-train 4000 --num-val 1000
_base_ = ['./multilabel_metrics.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)

data_root = 'data/fashion_tiles'
data_preprocessor = dict(
    num_classes=10,
    mean=[32.0, 32.0, 32.0],  # rough pixel statistics of the canvases (mostly black)
    std=[72.0, 72.0, 72.0],
    to_onehot=True)

# Canvases are shrunk to 32 px (garments of 14 px) to keep CPU runs short.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64, num_workers=0, persistent_workers=False, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='MultiLabelDataset', data_root=data_root,
                 ann_file='annotations/multilabel_train.json', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=250, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='MultiLabelDataset', data_root=data_root,
                 ann_file='annotations/multilabel_val.json', pipeline=test_pipeline))
test_dataloader = val_dataloader
