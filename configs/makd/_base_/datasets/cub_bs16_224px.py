# CUB-200-2011 (200 classes), the official train / test split, mmpretrain's CUB layout.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='CUB', data_root='data/CUB_200_2011')
data_preprocessor = dict(num_classes=200)
train_dataloader = dict(dataset=dict(dataset, split='train'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
