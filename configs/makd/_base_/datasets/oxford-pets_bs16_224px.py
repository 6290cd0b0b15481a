# Oxford-IIIT Pets (37 classes), the official trainval / test split, mmpretrain's OxfordIIITPet
# layout.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='OxfordIIITPet', data_root='data/oxford-iiit-pet')
data_preprocessor = dict(num_classes=37)
train_dataloader = dict(dataset=dict(dataset, split='trainval'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
