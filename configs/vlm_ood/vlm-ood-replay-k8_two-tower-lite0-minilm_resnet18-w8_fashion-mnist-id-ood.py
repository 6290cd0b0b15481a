# The full method of `vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py`, with the
# teacher's image embeddings of exactly the augmented view the student sees (RandomCrop + flip),
# replayed from a store of K = 8 views per training image: no teacher forward while training and
# no fixed view (the original distils cached embeddings of the un-augmented image instead).
#   python tools/extract_teacher_outputs.py CONFIG --teacher clip --views 8 \
#       --codec image_embeds=float16
#   python tools/train.py CONFIG
_base_ = ['./vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py']
store = 'work_dirs/stores/two-tower-lite0-minilm_fashion-mnist-id-ood_replay-k8'
model = dict(teachers=dict(clip=dict(store=store)))
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmkd.TeacherReplayDataset', store=store,
    dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1),
                dict(type='mmkd.TeacherReplayHook')]
