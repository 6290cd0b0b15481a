# ViT-B/32 student (random init) of Li et al. on CUB, CLIP ViT-L/14 space (D = 768), trained on
# torchvision RandAugment(2, 9) views without flip.
_base_ = [
    '../_base_/models/vit-b32_text-prototype-head.py',
    '../_base_/datasets/class-folder-id-ood_224px_randaugment.py',
    '../_base_/schedules/vit-b32_adamw_onecycle_90e.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(head=dict(label_sets={{_base_.num_classes}}))
# Validation every 5 epochs and at each of the last 5: the paper reports the mean of the last 5
# (python tools/analysis/mean_of_last_evaluations.py WORK_DIR --last 5).
train_cfg = dict(dynamic_intervals=[(86, 1)])
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2))
