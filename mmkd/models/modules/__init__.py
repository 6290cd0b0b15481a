from .coop_prompt_learner import CoOpPromptLearner
from .embedding_queue import EmbeddingQueue
from .visual_semantics_bank import VisualSemanticsBank

__all__ = ['CoOpPromptLearner', 'EmbeddingQueue', 'VisualSemanticsBank']
