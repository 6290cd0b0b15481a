# 5-shot finetuning of the distilled ResNet-18 on CUB's OOD classes (--few-shot-num 5
# --few-shot-method finetune): the first 5 images by name of every OOD class join the ID training
# images in one label set 'all' (ID classes first); the remaining OOD images are the test set.
# Every batch: 64 ID images + 64 shots drawn afresh (the original's FewShotSampler); an epoch is
# one pass over the ID images. Same losses; the teacher's embeddings of the fixed CLIP view of
# every ID image and shot come from a store written once from THIS config:
#   python tools/extract_teacher_outputs.py CONFIG --teacher clip --pipeline clip_view_pipeline
# SGD one-cycle max lr 1e-3, 20 epochs (ViT students: AdamW one-cycle max lr 2e-4, repeat 3).
# Start from the distilled run:
#   python tools/train.py CONFIG --cfg-options load_from=work_dirs/<distill run>/epoch_90.pth
_base_ = ['./vlm-ood_openclip-vit-l14_resnet18_cub.py']
data_root = 'data/cub'
num_id, num_ood = 100, 100

model = dict(
    student=dict(head=dict(label_sets=dict(id=num_id, ood=num_ood, all=num_id + num_ood),
                           train_label_set='all')),
    data_preprocessor=dict(num_classes=num_id + num_ood),
    label_sets=dict(all=dict(classes=dict(dirs=[data_root + '/train', data_root + '/val']),
                             **_base_.texts)),
    teachers=dict(clip=dict(store='work_dirs/stores/openclip-vit-l14_cub_few-shot-5')))
train_dataloader = dict(
    batch_size=64,
    batch_sampler=dict(type='mmkd.FewShotBatchSampler', num_shots=64),
    dataset=dict(_delete_=True, type='mmkd.LabelSetDataset', parts=[
        dict(label_set='all', dataset=dict(type='CustomDataset', data_root=data_root,
                                           data_prefix='train', pipeline=_base_.train_pipeline)),
        dict(label_set='all', label_offset=num_id, dataset=dict(
            type='mmkd.FewShotDataset', shots=5, part='support', data_root=data_root,
            data_prefix='val', pipeline=_base_.train_pipeline)),
    ]))
val_dataloader = dict(dataset=dict(_delete_=True, type='mmkd.LabelSetDataset', parts=[
    dict(label_set='ood', dataset=dict(type='mmkd.FewShotDataset', shots=5, part='query',
                                       data_root=data_root, data_prefix='val',
                                       pipeline=_base_.test_pipeline))]))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = dict(_delete_=True, type='OneCycleLR', eta_max=1e-3, total_steps=20,
                       by_epoch=True)
# the mean of the last 5 evaluations, as in the distillation stage
train_cfg = dict(max_epochs=20, val_interval=5, dynamic_intervals=[(16, 1)])
