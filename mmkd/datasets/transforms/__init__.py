from .drop_labels import DropLabels
from .load_teacher_targets import LoadTeacherTargets

__all__ = ['DropLabels', 'LoadTeacherTargets']
