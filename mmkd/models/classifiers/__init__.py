from .zero_shot_classifier import ZeroShotClassifier

__all__ = ['ZeroShotClassifier']
