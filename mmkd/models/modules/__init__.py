from .class_prototypes import ClassPrototypes
from .coop_prompt_learner import CoOpPromptLearner
from .embedding_queue import EmbeddingQueue
from .text_semantics_bank import (TextSemanticsBank, build_text_bank, class_names_from,
                                  encode_text_bank, load_text_bank, prompt_templates)
from .visual_semantics_bank import VisualSemanticsBank

__all__ = [
    'ClassPrototypes', 'CoOpPromptLearner', 'EmbeddingQueue',
    'TextSemanticsBank', 'build_text_bank', 'class_names_from', 'encode_text_bank',
    'load_text_bank', 'prompt_templates', 'VisualSemanticsBank'
]
