# The schedule of the original MaKD code (mdistiller defaults): SGD 0.01, momentum 0.9, weight decay
# 1e-4, x0.1 at epochs 150/180/210, 240 epochs, batch 16 on one GPU, students from scratch.
# Report the LAST epoch's accuracy, mean of 3 seeds (the original logged the best test epoch, an
# optimistic selection on the test set). More GPUs: --auto-scale-lr scales the lr linearly.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=240, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=16)
