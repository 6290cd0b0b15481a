# The full loss set of Li et al. (L-cls + L-mse + L-cst + L-vlalign with the filter) from a tiny
# RANDOM-INIT open_clip teacher on Fashion-MNIST (5 ID / 5 OOD classes): every code path on CPU in
# seconds (tests/vlm_ood). Its teacher signal is noise, so its accuracies mean nothing.
_base_ = [
    './students/resnet18-w16_fashion-mnist-id-ood.py', './_base_/distill/vlm-ood_full-loss-set.py'
]
tiny_clip = dict(
    embed_dim=384,  # the student's embed_dim
    vision_cfg=dict(image_size=32, layers=2, width=64, head_width=32, patch_size=8),
    text_cfg=dict(context_length=32, vocab_size=49408, width=64, heads=2, layers=2))
model = dict(
    _base_.distiller, _delete_=True, student=_base_.model,
    data_preprocessor=_base_.data_preprocessor, label_sets=_base_.label_sets, text_teacher='clip',
    teachers=dict(clip=dict(type='OpenCLIPTeacher', arch='ViT-B-32', checkpoint=None,
                            model_overrides=tiny_clip, allow_random_init=True)))
train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = dict(milestones=[1])
default_hooks = dict(checkpoint=dict(interval=1))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
