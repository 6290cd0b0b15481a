# Li et al.'s full method (L-cls + L-mse + L-cst + L-vlalign with k=256 and the filter, class
# descriptions) from the offline two-tower teacher into a narrow ResNet-18 (width 8) on Fashion-MNIST
# (5 ID / 5 OOD classes).
# The teacher's image embeddings of the un-augmented training images come from a teacher store
# (the original's fixed-target design: the student sees augmented views):
#   python tools/extract_teacher_outputs.py CONFIG --teacher clip --view-independent
# projects/vlm_ood/run_fashion_two_tower.py runs everything and reports the table.
_base_ = [
    './students/resnet18-w8_fashion-mnist-id-ood.py',
    './_base_/teachers/two-tower-lite0-minilm.py',
    './_base_/distill/vlm-ood_full-loss-set.py',
]
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    data_preprocessor=_base_.data_preprocessor, label_sets=_base_.label_sets,
    text_teacher=_base_.two_tower_teacher,
    teachers=dict(clip=dict(
        type='StoreTeacher',
        store='work_dirs/stores/two-tower-lite0-minilm_fashion-mnist-id-ood',
        teacher=_base_.two_tower_teacher)))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
