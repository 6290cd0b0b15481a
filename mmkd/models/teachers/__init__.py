from .base_teacher import BaseTeacher
from .input_adapter import TeacherInputAdapter, read_normalization
from .openmmlab_teacher import OpenMMLabTeacher

__all__ = ['BaseTeacher', 'TeacherInputAdapter', 'read_normalization', 'OpenMMLabTeacher']
