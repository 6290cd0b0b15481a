# The full method into a ViT-B/32 student (random init): AdamW lr 1e-4 wd 0.01, one-cycle, 90
# epochs, repeat 3 (the README's ViT command passes --repeat-epochs twice; argparse keeps 3, spec
# P14), RandAugment(2, 9) and no flip. The plain student: students/vit-b32_cub.py.
_base_ = ['./vlm-ood_openclip-vit-l14_resnet18_cub.py']
model = dict(student=dict(
    _delete_=True,
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer', arch='b', img_size=224, patch_size=32,
                  out_type='cls_token', drop_rate=0.1),
    head=dict(type='mmkd.TextPrototypeClsHead', in_channels=768, embed_dim=768,
              label_sets=dict(id=100, ood=100), temperature=0.07)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256)),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std=0),
    dict(type='RandomResizedCrop', scale=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(times=3, dataset=dict(pipeline=train_pipeline)))
optim_wrapper = dict(_delete_=True, optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.01))
param_scheduler = dict(_delete_=True, type='OneCycleLR', eta_max=1e-4, total_steps=90,
                       by_epoch=True)
