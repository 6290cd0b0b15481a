# Li et al. (ICCV 2023), the full method: CLIP ViT-L/14 -> ResNet-18 (random init) on CUB
# (100 ID / 100 OOD classes): L-cls + L-mse + L-cst + L-vlalign (k=256, filter misaligned),
# ChatGPT class descriptions, repeat 5, SGD lr 0.05, steps at 30/60, 90 epochs.
# 1. the teacher's image embeddings of the fixed CLIP view (the original's cache), once:
#    python tools/extract_teacher_outputs.py CONFIG --teacher clip --pipeline clip_view_pipeline
# 2. python tools/train.py CONFIG
#    (evaluate student_epoch_N.pth with configs/vlm_ood/students/resnet18_cub.py)
_base_ = ['./students/resnet18_cub.py', './_base_/distill/vlm-ood_openclip-vit-l14_cub.py']
model = dict(_base_.distiller, _delete_=True, student=_base_.model,
             data_preprocessor=_base_.data_preprocessor, label_sets=_base_.label_sets)
# --repeat-epochs 5 (small datasets; 1 for Food, SUN, tiered-ImageNet)
train_dataloader = dict(dataset=dict(
    _delete_=True, type='RepeatDataset', times=5, dataset=_base_.train_dataloader.dataset))
