# Oxford 102 Flowers, the official trainval / test split, mmpretrain's Flowers102 layout.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='Flowers102', data_root='data/flowers102')
data_preprocessor = dict(num_classes=102)
train_dataloader = dict(dataset=dict(dataset, split='trainval'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
