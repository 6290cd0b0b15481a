# The full method plus CoOp prompt learning (--prompt-learner): 8 learned context vectors shared by
# all classes in front of "{name} . {description}", trained with the student (same optimizer).
_base_ = ['./vlm-ood_openclip-vit-l14_resnet18_cub.py']
template = dict(templates='{name} . {description}')
model = dict(
    student=dict(head=dict(prototypes=dict(type='CoOpPromptLearner', context_width=768,
                                           num_context=8))),
    label_sets=dict(id=template, ood=template))
