# The full loss set from CLIP ViT-L/14 on CUB: the ChatGPT class texts of the dataset base, the
# teacher's image embeddings of the fixed, un-augmented CLIP view read from a teacher store while
# the student trains on augmented views (the original's cached clip_image_feats.pt), written once:
#   python tools/extract_teacher_outputs.py CONFIG --teacher clip --pipeline clip_view_pipeline
_base_ = ['./vlm-ood_full-loss-set.py', '../teachers/openclip-vit-l14.py']
distiller = dict(
    text_teacher=_base_.clip_teacher,
    teachers=dict(clip=dict(type='StoreTeacher', store='work_dirs/stores/openclip-vit-l14_cub',
                            fixed_view=True, teacher=_base_.clip_teacher)))
# student-only checkpoints (student_epoch_N.pth) for configs/vlm_ood/students/*_cub.py
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
