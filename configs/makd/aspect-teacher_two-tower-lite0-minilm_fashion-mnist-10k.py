# Not a training config: the image-text teacher that answers MaKD's aspect questions without an
# MLLM (tools/makd/extract_aspect_logits.py --backend contrastive), and the data its projection is
# fitted on (tools/vlm_ood/align_two_tower.py: the first 10 000 labelled training images, all 10
# classes, prompts 'a photo of {name} . {description}'):
#   python tools/vlm_ood/align_two_tower.py THIS_CONFIG --teacher two_tower \
#       --out checkpoints/two-tower-lite0-minilm_fashion-mnist-10k.pth --steps 300
# projects/makd/run_fashion_contrastive.py runs both steps.
_base_ = ['./_base_/teachers/two-tower-lite0-minilm_fashion-mnist-10k.py']
default_scope = 'mmpretrain'
text_root = 'projects/vlm_ood/data/fashion_mnist'
classes = ['T-shirt_top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle_boot']
model = dict(
    teachers=dict(two_tower={{_base_.two_tower_teacher}}),
    label_sets=dict(id=dict(classes=classes, label_file=text_root + '/label2text.txt',
                            descriptions_file=text_root + '/chatgpt.txt')),
    data_preprocessor=dict(num_classes=10, mean=[72.94], std=[90.02]))
test_pipeline = [dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(type='FashionMNIST', data_root='data/fashion_mnist',
                                     split='train', indices=10000, pipeline=test_pipeline))
