from .load_aspect_targets import LoadAspectTargets
from .load_teacher_targets import LoadTeacherTargets

__all__ = ['LoadAspectTargets', 'LoadTeacherTargets']
