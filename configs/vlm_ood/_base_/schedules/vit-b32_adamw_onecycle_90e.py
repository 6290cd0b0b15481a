# Li et al.'s ViT-B/32 schedule: AdamW lr 1e-4 wd 0.01, one-cycle stepped once per epoch
# (torch defaults: 30 % warm-up, cosine, div 25, final div 1e4), 90 epochs, batch 128 on one GPU.
# OneCycleLR's peak `eta_max` is absolute (--auto-scale-lr would not move it, so this file has no
# auto_scale_lr): with more GPUs set it yourself, see projects/vlm_ood/README.md.
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.01))
param_scheduler = dict(type='OneCycleLR', eta_max=1e-4, total_steps=90, by_epoch=True)
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=5)
val_cfg = dict()
test_cfg = dict()
