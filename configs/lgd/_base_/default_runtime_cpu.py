# The runtime of the CPU demos: mmpretrain's scope, gloo, seed 0, quiet logs.
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'))
log_level = 'WARNING'
randomness = dict(seed=0)
