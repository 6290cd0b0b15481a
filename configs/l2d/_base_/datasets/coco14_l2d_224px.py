# MS-COCO 2014 with L2D's train_anno.json / val_anno.json (80 classes, sorted names).
_base_ = ['./l2d_pipelines_224px.py']

data_root = 'data/coco'
data_preprocessor = dict(num_classes=80)
train_dataloader = dict(dataset=dict(
    type='mmkd.COCO14MultiLabel', data_root=data_root, ann_file='train_anno.json',
    data_prefix='train2014', pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(
    type='mmkd.COCO14MultiLabel', data_root=data_root, ann_file='val_anno.json',
    data_prefix='val2014', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
