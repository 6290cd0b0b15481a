from .base_teacher import BaseTeacher
from .efficientnet_lite_teacher import EfficientNetLiteTeacher
from .input_adapter import TeacherInputAdapter, read_normalization
from .label_embedding_teacher import LabelEmbeddingTeacher
from .open_clip_image_teacher import OpenCLIPImageTeacher
from .openmmlab_teacher import OpenMMLabTeacher

__all__ = [
    'BaseTeacher', 'TeacherInputAdapter', 'read_normalization', 'OpenMMLabTeacher',
    'EfficientNetLiteTeacher', 'LabelEmbeddingTeacher', 'OpenCLIPImageTeacher'
]
