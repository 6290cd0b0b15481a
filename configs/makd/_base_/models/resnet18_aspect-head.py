# ResNet-18 (from scratch) whose linear head has C class + Q aspect outputs (MaKD).
# num_classes / num_aspects are set by the dataset config.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='mmkd.AspectClsHead',
        num_classes=1000,
        num_aspects=50,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),    # lambda_ce
        aspect_loss=dict(type='AspectBCELoss', loss_weight=4.0),  # alpha
        topk=(1, )))
