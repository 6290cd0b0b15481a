# Li et al. (ICCV 2023), the full method: CLIP ViT-L/14 -> ResNet-18 (random init) on CUB
# (100 ID / 100 OOD classes): L-cls + L-mse + L-cst + L-vlalign (k=256, filter misaligned),
# ChatGPT class descriptions, repeat 5, SGD lr 0.05, steps at 30/60, 90 epochs.
# 1. teacher image embeddings of the un-augmented training images, once (the original's cache):
#    python tools/extract_teacher_outputs.py CONFIG --teacher clip --view-independent
#    (without --view-independent the store holds the test view; the random training view then
#    runs the teacher live on each augmented batch instead)
# 2. python tools/train.py CONFIG
#    (evaluate student_epoch_N.pth with configs/vlm_ood/students/resnet18_cub.py)
_base_ = ['./students/resnet18_cub.py']
data_root = 'data/cub'
clip_teacher = dict(type='OpenCLIPTeacher', arch='ViT-L-14',
                    checkpoint='checkpoints/open_clip/ViT-L-14_openai.bin')
texts = dict(label_file=data_root + '/label2text.txt',
             descriptions_file=data_root + '/chatgpt.txt')
model = dict(
    _delete_=True,
    type='mmkd.VisionLanguageDistiller',
    student={{_base_.model}},
    data_preprocessor={{_base_.data_preprocessor}},
    label_sets=dict(id=dict(classes=data_root + '/train', **texts),
                    ood=dict(classes=data_root + '/val', **texts)),
    text_teacher=clip_teacher,
    teachers=dict(clip=dict(type='StoreTeacher', store='work_dirs/stores/openclip-vit-l14_cub',
                            pipeline={{_base_.train_pipeline}}, teacher=clip_teacher)),
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
# --repeat-epochs 5 (small datasets; 1 for Food, SUN, tiered-ImageNet)
train_dataloader = dict(dataset=dict(
    _delete_=True, type='RepeatDataset', times=5, dataset={{_base_.train_dataloader.dataset}}))
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
