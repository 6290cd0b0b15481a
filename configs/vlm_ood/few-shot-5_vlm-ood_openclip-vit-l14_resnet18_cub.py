# 5-shot finetuning of the distilled ResNet-18 on CUB's OOD classes (--few-shot-num 5
# --few-shot-method finetune): the first 5 images by name of every OOD class join the ID training
# images in one label set 'all' (ID classes first); the remaining OOD images are the test set.
# Same losses, the teacher run live on each batch; SGD one-cycle max lr 1e-3, 20 epochs (ViT
# students: AdamW one-cycle max lr 2e-4, repeat 3). Start from the distilled run:
#   python tools/train.py CONFIG --cfg-options load_from=work_dirs/<distill run>/epoch_90.pth
# The original's batches held 64 shots + 64 ID images (FewShotSampler); here the shots are
# repeated 8x inside each epoch instead.
_base_ = ['./vlm-ood_openclip-vit-l14_resnet18_cub.py']
data_root = 'data/cub'
num_id, num_ood = 100, 100
texts = dict(label_file=data_root + '/label2text.txt',
             descriptions_file=data_root + '/chatgpt.txt')
test_pipeline = {{_base_.test_pipeline}}
train_pipeline = {{_base_.train_pipeline}}

model = dict(
    student=dict(head=dict(label_sets=dict(id=num_id, ood=num_ood, all=num_id + num_ood),
                           train_label_set='all')),
    data_preprocessor=dict(num_classes=num_id + num_ood),
    label_sets=dict(all=dict(classes=dict(dirs=[data_root + '/train', data_root + '/val']),
                             **texts)),
    teachers=dict(_delete_=True, clip={{_base_.clip_teacher}}))
train_dataloader = dict(batch_size=128, dataset=dict(
    _delete_=True, type='mmkd.LabelSetDataset', parts=[
        dict(label_set='all', dataset=dict(type='CustomDataset', data_root=data_root,
                                           data_prefix='train', pipeline=train_pipeline)),
        dict(label_set='all', label_offset=num_id, dataset=dict(
            type='RepeatDataset', times=8, dataset=dict(
                type='mmkd.FewShotDataset', shots=5, part='support', data_root=data_root,
                data_prefix='val', pipeline=train_pipeline))),
    ]))
val_dataloader = dict(dataset=dict(_delete_=True, type='mmkd.LabelSetDataset', parts=[
    dict(label_set='ood', dataset=dict(type='mmkd.FewShotDataset', shots=5, part='query',
                                       data_root=data_root, data_prefix='val',
                                       pipeline=test_pipeline))]))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = dict(_delete_=True, type='OneCycleLR', eta_max=1e-3, total_steps=20,
                       by_epoch=True)
train_cfg = dict(max_epochs=20, val_interval=5)
