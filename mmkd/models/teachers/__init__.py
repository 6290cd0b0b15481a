from .base_teacher import BaseTeacher
from .input_adapter import TeacherInputAdapter, read_normalization
from .openmmlab_teacher import OpenMMLabTeacher
from .store_teacher import StoreTeacher

__all__ = ['BaseTeacher', 'TeacherInputAdapter', 'read_normalization', 'OpenMMLabTeacher', 'StoreTeacher']
