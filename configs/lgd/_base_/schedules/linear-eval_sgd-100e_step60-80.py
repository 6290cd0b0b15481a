# LGD's linear evaluation schedule (main_lincls.py, scripts/lincls.sh): SGD lr 30 per 256 images
# (240 at 8x256), momentum 0.9, no weight decay, 100 epochs, x0.1 at 60 and 80, after a linear
# warm-up over epochs 0-4 from 30 (tools/utils.py adjust_learning_rate, set once per epoch).
optim_wrapper = dict(optimizer=dict(type='SGD', lr=240., momentum=0.9, weight_decay=0.))
# MMEngine's LinearLR reaches end_factor at its last epoch (end - 1): end=6 puts 1.0 at epoch 5,
# so epochs 0-4 get 0.125 + 0.875 * e / 5 as the original
param_scheduler = [
    dict(type='LinearLR', start_factor=0.125, end_factor=1.0, by_epoch=True, begin=0, end=6,
         convert_to_iter_based=False),
    dict(type='MultiStepLR', by_epoch=True, milestones=[60, 80], gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=2048)
