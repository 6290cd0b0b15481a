from .ml_decoder_head import LabelQueryDecoder, MLDecoderClsHead

__all__ = ['LabelQueryDecoder', 'MLDecoderClsHead']
