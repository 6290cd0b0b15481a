from .aspect_cls_head import AspectClsHead
from .ml_decoder_head import LabelQueryDecoder, MLDecoderClsHead

__all__ = ['AspectClsHead', 'LabelQueryDecoder', 'MLDecoderClsHead']
