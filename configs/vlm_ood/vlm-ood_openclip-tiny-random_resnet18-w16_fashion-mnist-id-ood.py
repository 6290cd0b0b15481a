# The full loss set of Li et al. (L-cls + L-mse + L-cst + L-vlalign with the filter) from a tiny
# RANDOM-INIT open_clip teacher on Fashion-MNIST (5 ID / 5 OOD classes): every code path on CPU in
# seconds (tests/vlm_ood). Its teacher signal is noise, so its accuracies mean nothing.
_base_ = ['./students/resnet18-w16_fashion-mnist-id-ood.py']
tiny_clip = dict(
    embed_dim=384,  # the student's embed_dim
    vision_cfg=dict(image_size=32, layers=2, width=64, head_width=32, patch_size=8),
    text_cfg=dict(context_length=32, vocab_size=49408, width=64, heads=2, layers=2))
model = dict(
    _delete_=True,
    type='mmkd.VisionLanguageDistiller',
    student={{_base_.model}},
    data_preprocessor={{_base_.data_preprocessor}},
    label_sets={{_base_.label_sets}},
    text_teacher='clip',
    teachers=dict(clip=dict(type='OpenCLIPTeacher', arch='ViT-B-32', checkpoint=None,
                            model_overrides=tiny_clip, allow_random_init=True)),
    student_records=dict(embeds='head.projection', text_embeds='head.prototypes'),
    distill_losses=dict(
        loss_mse=dict(type='EmbeddingMSELoss',
                      inputs=dict(student_embeds='student.embeds',
                                  teacher_embeds='clip.image_embeds')),
        loss_cst=dict(type='EmbeddingContrastiveLoss', temperature=0.07,
                      inputs=dict(student_embeds='student.embeds',
                                  teacher_embeds='clip.image_embeds')),
        loss_vlalign=dict(type='VLAlignLoss', num_proximal=256, filter_misaligned=True,
                          inputs=dict(student_embeds='student.embeds',
                                      teacher_embeds='clip.image_embeds',
                                      text_embeds='student.text_embeds',
                                      data_samples='data_samples'))))
train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = dict(milestones=[1])
default_hooks = dict(checkpoint=dict(interval=1))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
