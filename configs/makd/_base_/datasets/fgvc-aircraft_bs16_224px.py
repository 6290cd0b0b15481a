# FGVC-Aircraft (100 variants), the official trainval / test split, mmpretrain's FGVCAircraft
# layout.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='FGVCAircraft', data_root='data/fgvc_aircraft')
data_preprocessor = dict(num_classes=100)
train_dataloader = dict(dataset=dict(dataset, split='trainval'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
