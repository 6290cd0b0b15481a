# Student of the Fashion-tile demo, trained with BCE only (the baseline): the teacher's
# architecture at width 8 (about 1/4 of its parameters), on the first 1000 training canvases
# only, while the teacher saw all 4000. 60 epochs (900 iterations): the student fits its 1000
# canvases, so the runs differ by what the teacher adds rather than by how far each seed got
# (15 epochs left the BCE falling and a +-4 mAP spread between seeds; 60: +-1.2).
_base_ = ['./resnet18-w16_mldecoder_fashion-tiles.py']

model = dict(
    backbone=dict(stem_channels=8, base_channels=8),
    head=dict(in_channels=32, embed_dims=32, ffn_dims=64))

train_dataloader = dict(dataset=dict(indices=1000))

max_epochs = 60
param_scheduler = dict(total_steps=max_epochs)
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
