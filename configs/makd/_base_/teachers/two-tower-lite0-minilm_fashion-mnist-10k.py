# The offline aspect teacher of the MaKD Fashion-MNIST runs: the real EfficientNet-Lite0 +
# all-MiniLM-L6-v2 two-tower of VLM-OOD, with its image->text projection fitted on the first
# 10 000 labelled training images (all 10 classes) by tools/vlm_ood/align_two_tower.py at
# temperature 0.07 (recorded in the file: the teacher's logit scale is 1 / 0.07).
_base_ = ['../../../vlm_ood/_base_/teachers/two-tower-lite0-minilm.py']
two_tower_teacher = dict(projection='checkpoints/two-tower-lite0-minilm_fashion-mnist-10k.pth')
