from .text_prototype_head import TextPrototypeClsHead, cosine_logits

__all__ = ['TextPrototypeClsHead', 'cosine_logits']
