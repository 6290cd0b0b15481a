# ViT-B/32 student (random init) of Li et al. on CUB, CLIP ViT-L/14 space (D = 768).
_base_ = [
    '../_base_/models/vit-b32_text-prototype-head.py',
    '../_base_/datasets/class-folder-id-ood_224px.py',
    '../_base_/schedules/vit-b32_adamw_onecycle_90e.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(head=dict(label_sets={{_base_.num_classes}}))
# ViT students: RandAugment(2, 9) before the crop and no flip, as in the original.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std=0),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
