# LGD, CLIP RN50 -> MobileNetV2 (1280-d pooled feature). Upstream put Dropout(0.2) before the
# projection MLP during pre-training; this student does not (spec pitfall 6).
_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
model = dict(student=dict(
    backbone=dict(_delete_=True, type='MobileNetV2', widen_factor=1.0),
    head=dict(in_channels=1280)))
