# The student of the Fashion-MNIST demo (projects/lgd/run_fashion_linear_eval.py): mmpretrain's
# LeNet5 (120-d pooled feature) + the zero-shot head's projector into the all-MiniLM-L6-v2 space
# (D = 384) and the demo's Textual Semantics Bank (10 class names x CLIP's 80 prompts), on grey
# 32 px images.
demo_dir = 'work_dirs/lgd_fashion'
text_bank = demo_dir + '/tsb_fashion_minilm.pt'
model = dict(
    type='ImageClassifier',
    backbone=dict(type='LeNet5', num_classes=-1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='mmkd.ZeroShotClsHead', in_channels=120, embed_dim=384, text_bank=text_bank),
    data_preprocessor=dict(type='ClsDataPreprocessor', mean=[72.94], std=[90.02]))
