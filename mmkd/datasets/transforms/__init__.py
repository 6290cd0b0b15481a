from .load_teacher_targets import LoadTeacherTargets

__all__ = ['LoadTeacherTargets']
