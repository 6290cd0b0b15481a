# mmpretrain's runtime with L2D's seed (main.py: seed 0; cudnn benchmark stays off here).
_base_ = ['mmpretrain::_base_/default_runtime.py']
randomness = dict(seed=0, deterministic=False)
