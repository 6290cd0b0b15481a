# The schedule of the original MaKD code (mdistiller defaults): SGD 0.01, momentum 0.9, weight decay
# 1e-4, x0.1 at epochs 150/180/210, 240 epochs, batch 16 on one GPU, students from scratch.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=1)
val_cfg = dict()
test_cfg = dict()
# Report the LAST epoch's accuracy (the original reported the best test epoch, an optimistic
# selection on the test set).
auto_scale_lr = dict(base_batch_size=16)
