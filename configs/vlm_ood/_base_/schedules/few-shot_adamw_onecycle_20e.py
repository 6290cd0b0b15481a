# Li et al.'s 5-shot finetuning of a ViT student: AdamW, one-cycle max lr 2e-4, 20 epochs
# (with repeat 3, see the few-shot configs).
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-4, weight_decay=0.01))
param_scheduler = dict(type='OneCycleLR', eta_max=2e-4, total_steps=20, by_epoch=True)
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
val_cfg = dict()
test_cfg = dict()
