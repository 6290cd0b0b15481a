# The plain student of the Fashion-MNIST ID/OOD configs: distil it with the configs beside this
# folder, then evaluate its student-only checkpoint (student_epoch_N.pth) with this file:
#   python tools/test.py configs/vlm_ood/students/resnet18-w16_fashion-mnist-id-ood.py CKPT
_base_ = [
    '../_base_/models/resnet18-w16-cifar_text-prototype-head.py',
    '../_base_/datasets/fashion-mnist-id-ood_32px.py',
    '../_base_/schedules/resnet18_sgd_90e_step30-60.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(head=dict(label_sets={{_base_.num_classes}}))
