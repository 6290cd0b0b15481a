# DTD (47 textures), the official trainval / test of split 1, mmpretrain's DTD layout.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='DTD', data_root='data/dtd')
data_preprocessor = dict(num_classes=47)
train_dataloader = dict(dataset=dict(dataset, split='trainval'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
