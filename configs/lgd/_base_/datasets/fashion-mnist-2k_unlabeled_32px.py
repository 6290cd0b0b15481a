# The first 2000 Fashion-MNIST training images without their labels (mmkd.DropLabels), resized
# to 32 px, one deterministic view (the teacher store's), batches of 128 (the demo's data; the
# data root is the copy projects/lgd/run_fashion_linear_eval.py prepares in its work dir).
data_root = 'work_dirs/lgd_fashion/fashion_mnist'
# lists, not tuples: the teacher store compares the view as written to its meta.json
train_pipeline = [
    dict(type='Resize', scale=[32, 32]), dict(type='PackInputs'), dict(type='mmkd.DropLabels')
]
test_pipeline = [dict(type='Resize', scale=[32, 32]), dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=128, num_workers=0, persistent_workers=False, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='FashionMNIST', data_root=data_root, split='train', indices=2000,
                 pipeline=train_pipeline))
