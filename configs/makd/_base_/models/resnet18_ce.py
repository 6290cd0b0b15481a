# The baseline of the MaKD table: the same ResNet-18 student with a C-way head, CE only.
_base_ = ['./resnet18_aspect-head.py']
model = dict(head=dict(_delete_=True, type='LinearClsHead', num_classes=1000, in_channels=512,
                       loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, )))
