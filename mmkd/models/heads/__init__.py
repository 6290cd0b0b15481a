from .zero_shot_cls_head import ZeroShotClsHead

__all__ = ['ZeroShotClsHead']
