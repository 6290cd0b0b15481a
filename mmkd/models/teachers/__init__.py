from .base_teacher import BaseTeacher
from .efficientnet_lite_teacher import EfficientNetLiteTeacher
from .input_adapter import TeacherInputAdapter, read_normalization
from .text_aligned_teacher import TextAlignedTeacher, fit_text_alignment
from .open_clip_image_teacher import OpenCLIPImageTeacher
from .openmmlab_teacher import OpenMMLabTeacher
from .store_teacher import StoreTeacher

__all__ = [
    'BaseTeacher', 'TeacherInputAdapter', 'read_normalization', 'OpenMMLabTeacher', 'StoreTeacher',
    'EfficientNetLiteTeacher', 'TextAlignedTeacher', 'fit_text_alignment', 'OpenCLIPImageTeacher'
]
