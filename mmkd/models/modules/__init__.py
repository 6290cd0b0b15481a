from .class_prototypes import ClassPrototypes

__all__ = ['ClassPrototypes']
