# Li et al.'s 5-shot finetuning of a ResNet student: SGD, one-cycle max lr 1e-3, 20 epochs.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='OneCycleLR', eta_max=1e-3, total_steps=20, by_epoch=True)
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
val_cfg = dict()
test_cfg = dict()
