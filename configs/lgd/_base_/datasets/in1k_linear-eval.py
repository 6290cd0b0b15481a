# ImageNet-1k for the linear probe, as main_lincls.py: RandomResizedCrop(224) + flip / Resize(256)
# + CenterCrop(224), ImageNet mean/std (pre-training used CLIP's: spec pitfall 4), 256 a GPU.
_base_ = ['mmpretrain::_base_/datasets/imagenet_bs32.py']
train_dataloader = dict(batch_size=256, num_workers=8)
val_dataloader = dict(batch_size=256, num_workers=8)
test_dataloader = val_dataloader
