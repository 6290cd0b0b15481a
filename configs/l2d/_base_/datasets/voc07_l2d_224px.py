# Pascal VOC 2007 in L2D's layout: trainval for training, test for evaluation; difficult
# objects count as positives in both, as the original does (difficult_as_positive=True).
_base_ = ['./l2d_pipelines_224px.py']

data_root = 'data/voc'
data_preprocessor = dict(num_classes=20)
train_dataloader = dict(dataset=dict(
    type='mmkd.VOC07MultiLabel', data_root=data_root + '/VOCtrainval2007/VOCdevkit/VOC2007',
    split='trainval', difficult_as_positive=True, pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(
    type='mmkd.VOC07MultiLabel', data_root=data_root + '/VOCtest2007/VOCdevkit/VOC2007',
    split='test', difficult_as_positive=True, pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
