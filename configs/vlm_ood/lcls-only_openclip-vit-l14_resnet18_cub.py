# The paper's baseline: L-cls only, plain label names ("a photo of {name}"), same student, data and
# schedule as vlm-ood_openclip-vit-l14_resnet18_cub.py.
_base_ = ['./vlm-ood_openclip-vit-l14_resnet18_cub.py']
data_root = 'data/cub'
model = dict(
    label_sets=dict(_delete_=True,
                    id=dict(classes=data_root + '/train', label_file=data_root + '/label2text.txt'),
                    ood=dict(classes=data_root + '/val', label_file=data_root + '/label2text.txt')),
    distill_losses=dict(_delete_=True))
