# The paper's baseline: L-cls only (cross-entropy over cosine similarities to the teacher's class
# text prototypes), no image-side distillation; same student, data and schedule as
# vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py.
_base_ = ['./vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py']
model = dict(distill_losses=dict(_delete_=True))
