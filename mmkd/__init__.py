"""mmkd: knowledge distillation for OpenMMLab (mmpretrain, mmdet, mmseg).

Importing mmkd registers its modules (``custom_imports=dict(imports=['mmkd'])``) and allow-lists the
trusted classes MMEngine stores in checkpoints, so resume works on torch >= 2.6 without arbitrary
unpickling (open-mmlab/mmengine#1655).
"""
from .utils import allow_mmengine_globals
from .version import __version__

allow_mmengine_globals()

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__']
