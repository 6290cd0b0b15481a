# The ViT-B/32 student (random init, torchvision's vit_b_32: no dropout): CLS token + a projection
# into the teacher's embedding space.
embed_dim = 768  # OpenAI CLIP ViT-L/14
model = dict(
    type='ImageClassifier',
    backbone=dict(type='VisionTransformer', arch='b', img_size=224, patch_size=32,
                  out_type='cls_token', drop_rate=0.0),
    neck=None,
    head=dict(type='mmkd.TextPrototypeClsHead', in_channels=768, embed_dim=embed_dim,
              label_sets=dict(id=100, ood=100), temperature=0.07))
