from .base_teacher import BaseTeacher
from .input_adapter import TeacherInputAdapter, read_normalization
from .openclip_teacher import OpenCLIPTeacher
from .openmmlab_teacher import OpenMMLabTeacher
from .text_embedding_cache import cached_text_embeddings
from .vision_language_teacher import VisionLanguageTeacher

__all__ = [
    'BaseTeacher', 'TeacherInputAdapter', 'read_normalization', 'OpenMMLabTeacher',
    'VisionLanguageTeacher', 'OpenCLIPTeacher', 'cached_text_embeddings'
]
