from .class_prototypes import ClassPrototypes
from .coop_prompt_learner import CoOpPromptLearner

__all__ = ['ClassPrototypes', 'CoOpPromptLearner']
