# LGD on the Fashion-MNIST demo (projects/lgd/run_fashion_linear_eval.py): the LeNet5 student
# distils, without labels, from the stored Lite2 features mapped into the MiniLM text space by the
# demo's fitted projection (`clip`: the teacher's role in LGD), 0.5 * L_VIS + 0.5 * L_TEX with
# LGKA momentum 0.9 for the short schedule and re-normalised prototypes; SGD 0.05, cosine, 8 epochs.
# The text bank, the store (teacher-store_lite2_fashion-mnist-2.5k.py) and the projection are
# written by the demo script first.
_base_ = [
    './_base_/models/lenet5_zero-shot-head_fashion-mnist.py',
    './_base_/datasets/fashion-mnist-2k_unlabeled_32px.py',
    './_base_/default_runtime_cpu.py',
    './_base_/distill/lgd_vsb-tsb.py',
]
store = _base_.demo_dir + '/store_lite2'
stored_lite2 = dict(
    type='StoreTeacher', store=store,
    teacher=dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite2', checkpoint=None,
                 input_size=(64, 64)))
distiller = _base_.distiller
distiller.distill_losses.loss_vis.bank.update(
    text_bank=_base_.text_bank, momentum=0.9, renormalize=True)
distiller.distill_losses.loss_tex.bank.path = _base_.text_bank
model = dict(
    distiller, _delete_=True, student=_base_.model,
    teachers=dict(clip=dict(type='TwoTowerTeacher', image_teacher=stored_lite2,
                            projection=_base_.demo_dir + '/lite2_to_minilm.pth')))
# the student's view replayed from the store and checked against the hash of the teacher's view
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmkd.TeacherReplayDataset', store=store,
    dataset=_base_.train_dataloader.dataset))
train_cfg = dict(by_epoch=True, max_epochs=8)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='CosineAnnealingLR', T_max=8, by_epoch=True)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=8),
                     logger=dict(type='LoggerHook', interval=5))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
