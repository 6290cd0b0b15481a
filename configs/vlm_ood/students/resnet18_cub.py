# ResNet-18 student (random init) of Li et al. on CUB (100 ID / 100 OOD classes), CLIP ViT-L/14
# space (D = 768). The plain student: evaluates distilled student-only checkpoints.
_base_ = [
    '../_base_/models/resnet18_text-prototype-head.py',
    '../_base_/datasets/class-folder-id-ood_224px.py',
    '../_base_/schedules/resnet18_sgd_90e_step30-60.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(head=dict(label_sets={{_base_.num_classes}}))
# Validation every 5 epochs and at each of the last 5: the paper reports the mean of the last 5
# (python tools/analysis/mean_of_last_evaluations.py WORK_DIR --last 5).
train_cfg = dict(dynamic_intervals=[(86, 1)])
# More GPUs keep 128 images a GPU (L-cst contrasts within a GPU's batch) and scale the LR
# linearly with --auto-scale-lr (8 GPUs: batch 1024, lr 0.4); see projects/vlm_ood/README.md.
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2))
