# Li et al.'s full loss set: L-cls (the student head's own loss) + L-mse + L-cst (bidirectional)
# + L-vlalign (k = 256 proximal texts, images the teacher misclassifies filtered out), tau 0.07,
# every weight 1. The student's projection output and its class text prototypes are recorded;
# `clip` is the teacher whose image embeddings are distilled. A config that inherits this file
# adds the student, its label sets and the teachers:
#   model = dict(_base_.distiller, _delete_=True, student=_base_.model, label_sets=...,
#                text_teacher=..., teachers=dict(clip=...))
distiller = dict(
    type='mmkd.VisionLanguageDistiller',
    student_records=dict(embeds='head.projection', text_embeds='head.prototypes'),
    distill_losses=dict(
        loss_mse=dict(type='EmbeddingMSELoss',
                      inputs=dict(student_embeds='student.embeds',
                                  teacher_embeds='clip.image_embeds')),
        loss_cst=dict(type='EmbeddingContrastiveLoss', temperature=0.07, mode='bidirectional',
                      inputs=dict(student_embeds='student.embeds',
                                  teacher_embeds='clip.image_embeds')),
        loss_vlalign=dict(type='VLAlignLoss', temperature=0.07, num_proximal=256,
                          filter_misaligned=True,
                          inputs=dict(student_embeds='student.embeds',
                                      teacher_embeds='clip.image_embeds',
                                      text_embeds='student.text_embeds',
                                      data_samples='data_samples'))))
