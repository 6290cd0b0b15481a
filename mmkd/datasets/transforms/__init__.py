from .load_aspect_targets import LoadAspectTargets

__all__ = ['LoadAspectTargets']
