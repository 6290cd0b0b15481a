# Linear evaluation on 10 % of the ImageNet labels, as LGD's tools/make-imgnet-subset.py: 128
# random training images per class (not the SimCLR split files), same probe and schedule. Make
# the list once (seeded; every other image of meta/train.txt is left out):
#   python tools/dataset_converters/imagenet_subset.py data/imagenet/meta/train.txt \
#       data/imagenet/meta/train_10pct.txt --per-class 128 --seed 0
_base_ = ['./linear-eval_lgd-resnet18_8xb256-100e_in1k.py']
train_dataloader = dict(dataset=dict(ann_file='meta/train_10pct.txt'))
