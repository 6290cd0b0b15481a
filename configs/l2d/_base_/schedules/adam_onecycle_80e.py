# L2D's schedule (penghui-yang/L2D main.py): Adam(0.9, 0.999), L2 weight decay 1e-4 on parameters
# with >= 2 dims only (flat_decay_mult=0 exempts biases and norms; the fixed label queries are a
# buffer, outside the optimiser), torch OneCycleLR over 80 epochs stepped every iteration
# (max 1e-4, 20 % warm-up, cosine, div 25, final div 1e4), fp16 autocast with a dynamic loss
# scale (the original's GradScaler); the losses cast to fp32 themselves.
# Not reproduced: the original also cycles Adam's beta1 0.95 -> 0.85 -> 0.95 (mmengine's
# OneCycleLR does not schedule betas).
optim_wrapper = dict(
    type='AmpOptimWrapper', dtype='float16', loss_scale='dynamic',
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(flat_decay_mult=0.0))

param_scheduler = dict(
    type='OneCycleLR', eta_max=1e-4, total_steps=80, pct_start=0.2, anneal_strategy='cos',
    div_factor=25, final_div_factor=1e4, by_epoch=True, convert_to_iter_based=True)

train_cfg = dict(by_epoch=True, max_epochs=80, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# The global batch is 64 as in the original (one GPU, or e.g. 8 GPUs x 8): the LR is not scaled;
# the summed loss terms need the weights of projects/l2d/README.md#multi-gpu.
auto_scale_lr = dict(base_batch_size=64, enable=False)
