# SEED / LGD pre-training schedule (mZhenz/LGD tools/utils.py adjust_learning_rate, set once per
# epoch): SGD lr 0.03 per 256 images (0.24 at 8x256), momentum 0.9, weight decay 1e-4 on every
# parameter, AMP; epochs 0-4 warm up linearly from 0.03 (0.03, 0.072, ..., 0.198), then
# lr = 0.24 * (1 + cos(pi * epoch / 200)) / 2 over the ABSOLUTE epoch (no restart after warm-up).
# MMEngine chains the two schedulers multiplicatively: from epoch 5 on the lr is exactly the
# original's; during the warm-up it is the original's times the cosine factor (>= 0.999).
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='SGD', lr=0.24, momentum=0.9, weight_decay=1e-4))
# MMEngine's LinearLR reaches end_factor at its last epoch (end - 1): end=6 puts 1.0 at epoch 5,
# so epochs 0-4 get 0.125 + 0.875 * e / 5 as the original
param_scheduler = [
    dict(type='LinearLR', start_factor=0.125, end_factor=1.0, by_epoch=True, begin=0, end=6,
         convert_to_iter_based=False),
    dict(type='CosineAnnealingLR', T_max=200, eta_min=0.0, by_epoch=True, begin=0, end=200,
         convert_to_iter_based=False),
]
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=5)
val_cfg = dict()
test_cfg = dict()
# --auto-scale-lr keeps lr = 0.03 * batch / 256 for another global batch (the warm-up then starts
# at lr / 8, not at 0.03 as the original's)
auto_scale_lr = dict(base_batch_size=2048)
