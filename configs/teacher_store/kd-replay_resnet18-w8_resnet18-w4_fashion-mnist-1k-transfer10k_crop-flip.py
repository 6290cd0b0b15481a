# `kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k_crop-flip.py` with the teacher's logits
# read from a replay store: K views of each of the 11 000 training images (crop + flip), extracted
# once; each epoch every image comes as view `epoch mod K`, replayed exactly, with the teacher's
# stored log-probabilities: the teacher's weights are not even loaded.
#   python tools/extract_teacher_outputs.py CONFIG --views 8 --codec outputs=softmax_topk:10
#   python tools/train.py CONFIG
_base_ = ['./kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k_crop-flip.py']
store = 'work_dirs/stores/resnet18-w8_fashion-mnist-1k-transfer10k_crop-flip_k8'
model = dict(teachers=dict(resnet18_w8=dict(
    _delete_=True, type='StoreTeacher', store=store, teacher={{_base_.model.teachers.resnet18_w8}})))
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmkd.TeacherReplayDataset', store=store,
    dataset={{_base_.train_dataloader.dataset}}))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1),
                dict(type='mmkd.TeacherReplayHook')]
