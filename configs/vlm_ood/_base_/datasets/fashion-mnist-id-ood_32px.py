# Fashion-MNIST as a class-per-folder set split into 5 ID and 5 OOD classes:
#   python tools/dataset_converters/fashion_mnist_to_folders.py data/fashion_mnist_folders
#   python tools/vlm_ood/split_dataset.py data/fashion_mnist_folders data/fashion_mnist_id_ood
_base_ = ['./id-ood_class-folders.py']
data_root = 'data/fashion_mnist_id_ood'
text_root = 'projects/vlm_ood/data/fashion_mnist'
num_classes = dict(id=5, ood=5)  # the label-set sizes of the split
# prompts 'a photo of {name} . {description}' (label2text.txt + chatgpt.txt, the original's formats)
texts = dict(label_file=text_root + '/label2text.txt', descriptions_file=text_root + '/chatgpt.txt')
label_sets = dict(id=dict(classes=data_root + '/train', **texts),
                  ood=dict(classes=data_root + '/val', **texts))

data_preprocessor = dict(
    num_classes=num_classes['id'], mean=[72.9] * 3, std=[90.0] * 3, to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(32, 32)),
    dict(type='RandomCrop', crop_size=32, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackInputs'),
]
train_dataloader = dict(num_workers=2, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(batch_size=256, num_workers=2, dataset=dict(parts=[
    dict(part, dataset=dict(part.dataset, data_root=data_root, pipeline=test_pipeline))
    for part in _base_.val_dataloader.dataset.parts]))
test_dataloader = val_dataloader
