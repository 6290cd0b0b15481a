# LGD (`lgd_clip-rn50_resnet18_8xb256-200e_in1k.py`) with the CLIP RN50 teacher's features for
# SEED's queues read from a replay store: K = 8 MoCo-v2 views of every ImageNet-1k training image,
# each replayed exactly (seeded, hash-checked) in the epoch that uses it, so training pays no
# teacher forward. fp16 features: 1024 x 2 + 8 bytes a view, 21 GB for 1.28 M images x 8 views.
#   torchrun --nproc_per_node 8 tools/extract_teacher_outputs.py CONFIG --views 8 \
#       --codec image_embeds=float16
#   bash tools/dist_train.sh CONFIG 8
_base_ = ['./lgd_clip-rn50_resnet18_8xb256-200e_in1k.py']
store = 'work_dirs/stores/clip-rn50_in1k-train_mocov2_replay-k8'
model = dict(teachers=dict(clip=dict(
    _delete_=True, type='StoreTeacher', store=store, teacher={{_base_.model.teachers.clip}})))
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmkd.TeacherReplayDataset', store=store,
    dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=3),
                dict(type='mmkd.TeacherReplayHook')]
