from .drop_labels import DropLabels

__all__ = ['DropLabels']
