# Stanford Cars (196 classes), the official train / test split, mmpretrain's StanfordCars layout.
_base_ = ['./fine-grained_bs16_224px.py']
dataset = dict(type='StanfordCars', data_root='data/stanford_cars')
data_preprocessor = dict(num_classes=196)
train_dataloader = dict(dataset=dict(dataset, split='train'))
val_dataloader = dict(dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
