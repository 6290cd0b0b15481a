# A class-per-folder dataset split by tools/vlm_ood/split_dataset.py into train/ (ID classes),
# val_on_train/ (held-out ID images) and val/ (every image of the OOD classes). Validation tags
# each part with its label set: each is classified against its own class texts only. The
# dataset configs that inherit this file set data_root, the pipelines and the label sets.
dataset_type = 'CustomDataset'
train_dataloader = dict(
    batch_size=128,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_prefix='train'))
val_dataloader = dict(
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='mmkd.LabelSetDataset', parts=[
        dict(label_set='id', dataset=dict(type=dataset_type, data_prefix='val_on_train')),
        dict(label_set='ood', dataset=dict(type=dataset_type, data_prefix='val')),
    ]))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmkd.OpenVocabAccuracy')
test_evaluator = val_evaluator
