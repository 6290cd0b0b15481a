# ResNet-18 (from scratch) whose linear head has C class + Q aspect outputs (MaKD): CE on the C
# class logits (lambda_ce = 1) + BCE on the Q aspect logits against the MLLM's yes-probabilities
# (alpha = 4). num_classes is set by the config; Q = 50 as in the paper. The original's students
# are torchvision-style models built with pretrained=False: no zero-init of the blocks' last BN.
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, ), style='pytorch',
                  zero_init_residual=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='mmkd.AspectClsHead',
        num_classes=1000,
        num_aspects=50,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),    # lambda_ce
        aspect_loss=dict(type='AspectBCELoss', loss_weight=4.0),  # alpha
        topk=(1, )))
