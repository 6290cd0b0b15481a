# The ResNet-18 student: backbone + global pooling + a projection into the teacher's embedding
# space, classifying by cosine similarity (tau = 0.07) to the class text prototypes.
embed_dim = 768  # OpenAI CLIP ViT-L/14
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='mmkd.TextPrototypeClsHead', in_channels=512, embed_dim=embed_dim,
              label_sets=dict(id=100, ood=100), temperature=0.07))
