# Li et al.'s ResNet-18 schedule: SGD m=0.9 wd=1e-4, lr 0.05, x0.1 at epochs 30 and 60, 90 epochs,
# batch 128 on one GPU.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[30, 60], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=5)
val_cfg = dict()
test_cfg = dict()
