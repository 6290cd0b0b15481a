from .base_teacher import BaseTeacher
from .efficientnet_lite_teacher import EfficientNetLiteTeacher
from .input_adapter import InputConvention, TeacherInputAdapter, read_normalization
from .open_clip_teacher import OpenCLIPTeacher
from .openmmlab_teacher import OpenMMLabTeacher
from .store_teacher import StoreTeacher
from .two_tower_teacher import TwoTowerTeacher, fit_projection
from .vision_language_teacher import VisionLanguageTeacher

__all__ = [
    'BaseTeacher', 'InputConvention', 'TeacherInputAdapter', 'read_normalization',
    'OpenMMLabTeacher', 'StoreTeacher', 'VisionLanguageTeacher', 'OpenCLIPTeacher',
    'TwoTowerTeacher', 'fit_projection', 'EfficientNetLiteTeacher'
]
