# A narrow CIFAR-style ResNet-18 student (base width 16) for 32x32 inputs, for CPU-sized runs.
embed_dim = 384  # all-MiniLM-L6-v2, the text tower of the two-tower teacher
model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=16, num_stages=4,
                  out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='mmkd.TextPrototypeClsHead', in_channels=128, embed_dim=embed_dim,
              label_sets=dict(id=5, ood=5), temperature=0.07))
