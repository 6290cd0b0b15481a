from .knowledge_distiller import KnowledgeDistiller
from .vision_language_distiller import VisionLanguageDistiller

__all__ = ['KnowledgeDistiller', 'VisionLanguageDistiller']
