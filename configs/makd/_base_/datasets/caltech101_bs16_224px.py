# Caltech-101 as the paper counts it: 101 classes (Faces and Faces_easy included, no
# BACKGROUND_Google; mmpretrain's Caltech101 keeps it: 102), as class folders train/<class>/ and
# test/<class>/. The authors' split is not public: document yours.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='CustomDataset', data_root='data/caltech101')
data_preprocessor = dict(num_classes=101)
train_dataloader = dict(dataset=dict(dataset, data_prefix='train'))
val_dataloader = dict(dataset=dict(dataset, data_prefix='test'))
test_dataloader = val_dataloader
