# Mini-ImageNet (100 classes) as class folders train/<class>/ and test/<class>/. The authors' split
# is not public: document yours.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='CustomDataset', data_root='data/mini-imagenet')
data_preprocessor = dict(num_classes=100)
train_dataloader = dict(dataset=dict(dataset, data_prefix='train'))
val_dataloader = dict(dataset=dict(dataset, data_prefix='test'))
test_dataloader = val_dataloader
