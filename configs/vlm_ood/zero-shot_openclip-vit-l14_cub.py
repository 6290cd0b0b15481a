# CLIP ViT-L/14's own zero-shot ID and OOD accuracy on the CUB split (the original's
# evaluate_clip.py: same prompts, logits / 0.01, mean per-class accuracy):
#   python tools/vlm_ood/test_zero_shot.py CONFIG
_base_ = [
    './_base_/datasets/class-folder-id-ood_224px.py',
    'mmpretrain::_base_/default_runtime.py',
]
data_root = 'data/cub'
texts = dict(label_file=data_root + '/label2text.txt',
             descriptions_file=data_root + '/chatgpt.txt')
model = dict(
    type='mmkd.ZeroShotClassifier',
    teacher=dict(type='OpenCLIPTeacher', arch='ViT-L-14',
                 checkpoint='checkpoints/open_clip/ViT-L-14_openai.bin'),
    label_sets=dict(id=dict(classes=data_root + '/train', **texts),
                    ood=dict(classes=data_root + '/val', **texts)),
    data_preprocessor={{_base_.data_preprocessor}})
test_cfg = dict()
