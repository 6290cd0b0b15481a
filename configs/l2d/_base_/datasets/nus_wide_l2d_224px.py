# NUS-WIDE (81 concepts) in L2D's layout: Flickr/, ImageList/, TrainTestLabels/, Concepts81.txt.
# Images without any concept are kept, as in L2D.
_base_ = ['./l2d_pipelines_224px.py']

data_root = 'data/nus_wide'
data_preprocessor = dict(num_classes=81)
train_dataloader = dict(dataset=dict(
    type='mmkd.NUSWide', data_root=data_root, split='train',
    pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(
    type='mmkd.NUSWide', data_root=data_root, split='test', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
