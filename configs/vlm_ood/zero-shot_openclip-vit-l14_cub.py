# CLIP ViT-L/14's own zero-shot ID and OOD accuracy on the CUB split (the original's
# evaluate_clip.py: same prompts, logits / 0.01, mean per-class accuracy):
#   python tools/vlm_ood/test_zero_shot.py CONFIG
_base_ = [
    './_base_/datasets/class-folder-id-ood_224px.py',
    './_base_/teachers/openclip-vit-l14.py',
    'mmpretrain::_base_/default_runtime.py',
]
model = dict(
    type='mmkd.ZeroShotClassifier',
    teacher={{_base_.clip_teacher}},
    label_sets={{_base_.label_sets}},
    data_preprocessor={{_base_.data_preprocessor}})
test_cfg = dict()
