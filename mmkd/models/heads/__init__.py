from .aspect_cls_head import AspectClsHead
from .ml_decoder_head import LabelQueryDecoder, MLDecoderClsHead
from .text_prototype_head import TextPrototypeClsHead, cosine_logits
from .zero_shot_cls_head import ZeroShotClsHead

__all__ = [
    'AspectClsHead', 'LabelQueryDecoder', 'MLDecoderClsHead', 'TextPrototypeClsHead',
    'cosine_logits', 'ZeroShotClsHead'
]
