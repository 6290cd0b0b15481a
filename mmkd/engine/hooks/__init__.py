from .student_checkpoint_hook import StudentCheckpointHook

__all__ = ['StudentCheckpointHook']
