from .student_checkpoint_hook import StudentCheckpointHook
from .target_coverage_hook import TargetCoverageHook

__all__ = ['StudentCheckpointHook', 'TargetCoverageHook']
