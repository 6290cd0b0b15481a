# The full method into a ViT-B/32 student (random init): AdamW lr 1e-4 wd 0.01, one-cycle, 90
# epochs, repeat 3 (the README's ViT command passes --repeat-epochs twice; argparse keeps 3, spec
# P14), torchvision RandAugment(2, 9) and no flip. The plain student: students/vit-b32_cub.py.
# Teacher store: as vlm-ood_openclip-vit-l14_resnet18_cub.py (the same CLIP view and store).
_base_ = ['./students/vit-b32_cub.py', './_base_/distill/vlm-ood_openclip-vit-l14_cub.py']
model = dict(_base_.distiller, _delete_=True, student=_base_.model,
             data_preprocessor=_base_.data_preprocessor, label_sets=_base_.label_sets)
train_dataloader = dict(dataset=dict(
    _delete_=True, type='RepeatDataset', times=3, dataset=_base_.train_dataloader.dataset))
