default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False))
# student-only files (backbone + projector + text bank) for the converters and zero-shot eval
custom_hooks = [dict(type='mmkd.StudentCheckpointHook', max_keep_ckpts=3)]
env_cfg = dict(cudnn_benchmark=True, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
# the frozen teacher is outside DDP's reducer; every trainable module feeds a loss
model_wrapper_cfg = dict(type='MMDistributedDataParallel', broadcast_buffers=False)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=None, deterministic=False)
