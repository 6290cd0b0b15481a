# OpenAI CLIP ViT-L/14 in open_clip's format, from a local file (see projects/vlm_ood/README.md).
clip_teacher = dict(type='OpenCLIPTeacher', arch='ViT-L-14',
                    checkpoint='checkpoints/open_clip/ViT-L-14_openai.bin')
