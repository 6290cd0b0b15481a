# The tiny random-init run plus the auxiliary-caption loss: caption embeddings come from a teacher
# store written by
#   python tools/vlm_ood/caption_images.py CONFIG --captioner MODEL_DIR \
#       --out work_dirs/stores/captions_openclip-tiny-random_fashion-mnist-id-ood
_base_ = ['./vlm-ood_openclip-tiny-random_resnet18-w16_fashion-mnist-id-ood.py']
model = dict(
    teachers=dict(captions=dict(
        type='StoreTeacher',
        store='work_dirs/stores/captions_openclip-tiny-random_fashion-mnist-id-ood',
        records=['caption_embeds'])),
    distill_losses=dict(loss_caption=dict(
        type='CaptionContrastiveLoss', temperature=1.0,
        inputs=dict(student_embeds='student.embeds', caption_embeds='captions.caption_embeds',
                    data_samples='data_samples'))))
