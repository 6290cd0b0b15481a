from .base_teacher import BaseTeacher
from .efficientnet_lite_encoder import EfficientNetLiteEncoder
from .efficientnet_lite_teacher import EfficientNetLiteTeacher
from .input_adapter import TeacherInputAdapter, read_normalization
from .open_clip_image_teacher import OpenCLIPImageTeacher
from .openclip_teacher import OpenCLIPTeacher
from .openmmlab_teacher import OpenMMLabTeacher
from .text_aligned_teacher import TextAlignedTeacher, fit_text_alignment
from .store_teacher import StoreTeacher
from .text_embedding_cache import cached_text_embeddings
from .two_tower_teacher import TwoTowerTeacher
from .vision_language_teacher import VisionLanguageTeacher

__all__ = [
    'BaseTeacher', 'TeacherInputAdapter', 'read_normalization', 'OpenMMLabTeacher',
    'StoreTeacher', 'VisionLanguageTeacher', 'OpenCLIPTeacher', 'TwoTowerTeacher',
    'EfficientNetLiteEncoder', 'cached_text_embeddings', 'EfficientNetLiteTeacher',
    'TextAlignedTeacher', 'fit_text_alignment', 'OpenCLIPImageTeacher'
]
