from .drop_labels import DropLabels
from .load_aspect_targets import LoadAspectTargets
from .load_teacher_targets import LoadTeacherTargets

__all__ = ['DropLabels', 'LoadAspectTargets', 'LoadTeacherTargets']
