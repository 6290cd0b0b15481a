from .knowledge_distiller import KnowledgeDistiller

__all__ = ['KnowledgeDistiller']
