# The two-tower teacher's own zero-shot ID and OOD accuracy, with the students' data and metric:
#   python tools/vlm_ood/test_zero_shot.py CONFIG
_base_ = [
    './_base_/datasets/fashion-mnist-id-ood_32px.py',
    './_base_/teachers/two-tower-lite0-minilm.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(
    type='mmkd.ZeroShotClassifier',
    teacher={{_base_.two_tower_teacher}},
    label_sets={{_base_.label_sets}},
    data_preprocessor={{_base_.data_preprocessor}})
test_cfg = dict()
