from .aspect_cls_head import AspectClsHead

__all__ = ['AspectClsHead']
