# MaKD with a transfer set, from an image-text teacher instead of an MLLM (the contrastive
# backend; not the paper's teacher): the student of resnet18-w4_fashion-mnist-folders-1k_ce.py
# keeps cross-entropy on its 1000 labelled images and learns the 16 aspect answers
# (configs/makd/questions/fashion-mnist_q16_statements.tsv) of the two-tower teacher with BCE
# (alpha = 4) on all 11 000 images (the 1000 + 10 000 unlabelled ones).
# The aspect logits are a linear layer on the pooled backbone features beside the class head:
# MaKD's C+Q linear head, split in two so that CE sees the labelled samples only.
# Targets: projects/makd/run_fashion_contrastive.py (tools/makd/extract_aspect_logits.py
# --backend contrastive over data/fashion_mnist_makd/train).
_base_ = ['./resnet18-w4_fashion-mnist-folders-1k_ce.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)

num_aspects = 16
aspect_store = 'work_dirs/makd_targets/two-tower_fashion-mnist-folders_train/teacher_store'
model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(aspects=dict(type='StoreTeacher', store=aspect_store, records=['aspect_probs'],
                               data_root='data/fashion_mnist_makd/train')),
    student_records=dict(features='backbone'),
    connectors=dict(aspect_head=dict(type='PoolLinearConnector', in_channels=32,
                                     out_channels=num_aspects, source='student.features')),
    distill_losses=dict(loss_aspect=dict(
        type='AspectBCELoss', loss_weight=4.0,
        inputs=dict(preds_S='connectors.aspect_head', preds_T='aspects.aspect_probs'))))
train_dataloader = dict(dataset=dict(
    _delete_=True, type='mmkd.TransferSetDataset', labeled={{_base_.labeled_dataset}},
    transfer={{_base_.transfer_dataset}}))
# 3 epochs of 86 iterations: the steps of the CE-only baseline
param_scheduler = dict(T_max=3)
train_cfg = dict(max_epochs=3, val_interval=3)
default_hooks = dict(checkpoint=dict(interval=3))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=1)]
