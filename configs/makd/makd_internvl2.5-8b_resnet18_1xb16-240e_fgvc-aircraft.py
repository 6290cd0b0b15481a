# MaKD, the paper's setting on fgvc-aircraft: ResNet-18 from scratch, C=100 classes + Q=50 aspects,
# CE (1.0) + BCE (4.0) on InternVL2.5-8B yes-probabilities of the trainval images, SGD 0.01, 240
# epochs, batch 16, 224 px (spec 2.5). Paper (InternVL2-8B, mean of 3 runs): 71.76 -> 74.33 top-1.
# Targets:
#   python tools/makd/extract_aspect_logits.py checkpoints/InternVL2_5-8B QUESTIONS.txt \
#       work_dirs/makd_targets/internvl2.5-8b_fgvc-aircraft_trainval --trust-remote-code \
#       --dataset-config THIS_CONFIG --split train_dataloader
_base_ = [
    './_base_/models/resnet18_aspect-head.py', './_base_/datasets/fgvc-aircraft_bs16_224px.py',
    './_base_/schedule_sgd-240e.py', 'mmpretrain::_base_/default_runtime.py'
]
model = dict(head=dict(num_classes=100))
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.train_pipeline,
    dict(type='mmkd.LoadAspectTargets', source=(
        'work_dirs/makd_targets/internvl2.5-8b_fgvc-aircraft_trainval/teacher_store'))]))
