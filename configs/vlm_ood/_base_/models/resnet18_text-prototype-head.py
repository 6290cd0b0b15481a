# The ResNet-18 student: backbone + global pooling + a projection into the teacher's embedding
# space, classifying by cosine similarity (tau = 0.07) to the class text prototypes. Random init as
# the original's torchvision-style ResNet (Kaiming convs, no zero-init of the blocks' last BN).
embed_dim = 768  # OpenAI CLIP ViT-L/14
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, ), style='pytorch',
                  zero_init_residual=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='mmkd.TextPrototypeClsHead', in_channels=512, embed_dim=embed_dim,
              label_sets=dict(id=100, ood=100), temperature=0.07))
