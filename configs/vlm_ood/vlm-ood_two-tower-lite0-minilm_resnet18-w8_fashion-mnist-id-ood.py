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
]
model = dict(
    _delete_=True,
    type='mmkd.VisionLanguageDistiller',
    student={{_base_.model}},
    data_preprocessor={{_base_.data_preprocessor}},
    label_sets={{_base_.label_sets}},
    text_teacher={{_base_.two_tower_teacher}},
    teachers=dict(clip=dict(
        type='StoreTeacher',
        store='work_dirs/stores/two-tower-lite0-minilm_fashion-mnist-id-ood',
        teacher={{_base_.two_tower_teacher}})),
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
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
