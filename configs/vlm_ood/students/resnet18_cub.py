# ResNet-18 student (random init) of Li et al. on CUB (100 ID / 100 OOD classes), CLIP ViT-L/14
# space (D = 768). The plain student: evaluates distilled student-only checkpoints.
_base_ = [
    '../_base_/models/resnet18_text-prototype-head.py',
    '../_base_/datasets/class-folder-id-ood_224px.py',
    '../_base_/schedules/resnet18_sgd_90e_step30-60.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(head=dict(label_sets={{_base_.num_classes}}))
