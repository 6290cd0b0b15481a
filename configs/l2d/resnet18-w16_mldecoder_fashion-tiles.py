# Teacher of the Fashion-tile demo: the first three stages of a ResNet-18 of width 16 (random
# init) with the ML-Decoder head; on the 32 px inputs its last map is 2 x 2, one position per cell.
# Trained on the 4000 training canvases.
_base_ = [
    './_base_/datasets/fashion_tiles_multilabel.py', 'mmpretrain::_base_/default_runtime.py'
]

model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=3, stem_channels=16, base_channels=16,
                  strides=(1, 2, 2), dilations=(1, 1, 1), out_indices=(2, )),
    head=dict(
        type='mmkd.MLDecoderClsHead', num_classes=10, in_channels=64, embed_dims=64,
        num_heads=4, ffn_dims=128, dropout=0.1,
        # BCE summed over the N * C entries of the batch, as L2D (mmpretrain divides by N).
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=64.0)))

# L2D's optimiser and one-cycle schedule, shortened, with a larger peak LR for random init.
max_epochs = 10
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=2e-3, betas=(0.9, 0.999), weight_decay=1e-4),
    paramwise_cfg=dict(flat_decay_mult=0.0))
param_scheduler = dict(
    type='OneCycleLR', eta_max=2e-3, total_steps=max_epochs, pct_start=0.2, by_epoch=True,
    convert_to_iter_based=True)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(logger=dict(interval=20),
                     checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
