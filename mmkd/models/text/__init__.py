from .base_text_encoder import BaseTextEncoder, tensors_fingerprint
from .hf_text_encoder import HFTextEncoder
from .label_sets import (LabelSet, build_label_sets, prompt_templates, read_descriptions,
                         read_label2text, resolve_classes)
from .open_clip_text_encoder import OpenCLIPTextEncoder, create_open_clip
from .text_bank import (TextBank, build_text_bank, encode_prompts, load_text_bank,
                        text_bank_fingerprint)

__all__ = [
    'BaseTextEncoder', 'tensors_fingerprint', 'HFTextEncoder', 'OpenCLIPTextEncoder',
    'create_open_clip', 'LabelSet', 'build_label_sets', 'prompt_templates', 'read_descriptions',
    'read_label2text', 'resolve_classes', 'TextBank', 'build_text_bank', 'encode_prompts',
    'load_text_bank', 'text_bank_fingerprint'
]
