# The Pets recipe with aspect targets from Qwen2.5-VL-7B-Instruct, native in transformers 4.49 (no
# remote code); the paper's MLLM is InternVL2(.5)-8B (the config this one inherits). Targets:
#   python tools/makd/extract_aspect_logits.py checkpoints/Qwen2.5-VL-7B-Instruct QUESTIONS.txt \
#       work_dirs/makd_targets/qwen2.5-vl-7b_oxford-pets_trainval \
#       --dataset-config THIS_CONFIG --split train_dataloader
_base_ = ['./makd_internvl2.5-8b_resnet18_1xb16-240e_oxford-pets.py']
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.train_pipeline,
    dict(type='mmkd.LoadAspectTargets',
         source='work_dirs/makd_targets/qwen2.5-vl-7b_oxford-pets_trainval/teacher_store')]))
