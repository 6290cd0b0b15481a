# One of Li et al.'s datasets (CUB, Flowers102, Food-101, Stanford Cars, SUN397, tiered-ImageNet)
# split into train / val_on_train (ID) / val (OOD); the dataset root also holds the original's
# label2text.txt and chatgpt.txt (prompts 'a photo of {name} . {description}', the full method).
# Set data_root and num_classes in the config that inherits this file (CUB below).
_base_ = ['./id-ood_class-folders.py']
data_root = 'data/cub'
num_classes = dict(id=100, ood=100)
texts = dict(label_file=data_root + '/label2text.txt',
             descriptions_file=data_root + '/chatgpt.txt')
label_sets = dict(id=dict(classes=data_root + '/train', **texts),
                  ood=dict(classes=data_root + '/val', **texts))

data_preprocessor = dict(
    num_classes=num_classes['id'], mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
    to_rgb=True)
# The original squashes every image to 256x256 before cropping; augmentation is per sample here
# (the original shared one crop/flip across the whole batch, spec pitfall 3).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
# The teacher's view, the original's cached clip_image_feats.pt: the whole 256x256-squashed image,
# un-augmented, resized to 224 (bicubic; PIL resizes as torchvision's on PIL images). Extract it
#   python tools/extract_teacher_outputs.py CONFIG --teacher clip --pipeline clip_view_pipeline
clip_view_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256), backend='pillow'),
    dict(type='Resize', scale=(224, 224), interpolation='bicubic', backend='pillow'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(batch_size=64, dataset=dict(parts=[
    dict(part, dataset=dict(part.dataset, data_root=data_root, pipeline=test_pipeline))
    for part in _base_.val_dataloader.dataset.parts]))
test_dataloader = val_dataloader
