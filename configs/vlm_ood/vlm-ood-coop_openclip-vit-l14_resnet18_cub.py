# The full method plus CoOp prompt learning (--prompt-learner): 8 learned context vectors shared by
# all classes in front of "{name} . {description}", trained with the student (same optimizer).
_base_ = ['./vlm-ood_openclip-vit-l14_resnet18_cub.py']
data_root = 'data/cub'
texts = dict(label_file=data_root + '/label2text.txt',
             descriptions_file=data_root + '/chatgpt.txt', templates='{name} . {description}')
model = dict(
    student=dict(head=dict(prototypes=dict(type='CoOpPromptLearner', context_width=768,
                                           num_context=8))),
    label_sets=dict(_delete_=True, id=dict(classes=data_root + '/train', **texts),
                    ood=dict(classes=data_root + '/val', **texts)))
