# The ViT students' training view (Li et al.): torchvision's RandAugment(2, 9) on the 256x256
# image (2 of its 14 ops drawn uniformly, both always applied, magnitude 9 of 30, random sign),
# then RandomResizedCrop(224), no flip. It is torchvision's own transform, on a PIL image.
_base_ = ['./class-folder-id-ood_224px.py']
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='NumpyToPIL', to_rgb=True),
    dict(type='torchvision/RandAugment', num_ops=2, magnitude=9),
    dict(type='PILToNumpy', to_bgr=True),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
