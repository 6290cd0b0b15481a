# Fashion-MNIST as image folders for MaKD's transfer-set protocol (written by
# projects/makd/run_fashion_contrastive.py): train/<class>/<index>.png holds the first 1000
# (labelled.txt) and the last 10 000 (transfer.txt) training images, test/ the 10 000 test images.
# Folder images give every sample a path id, so one aspect store serves the labelled and the
# transfer part (in-memory parts would both count their ids from index:0).
data_root = 'data/fashion_mnist_makd'
dataset_type = 'CustomDataset'
data_preprocessor = dict(num_classes=10, mean=[72.94], std=[90.02])

train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='PackInputs'),
]
labeled_dataset = dict(type=dataset_type, data_root=data_root, data_prefix='train',
                       ann_file='labelled.txt', pipeline=train_pipeline)
transfer_dataset = dict(type=dataset_type, data_root=data_root, data_prefix='train',
                        ann_file='transfer.txt', pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=128,
    num_workers=0,
    persistent_workers=False,
    dataset=labeled_dataset,
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='test',
                 ann_file='test.txt', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
