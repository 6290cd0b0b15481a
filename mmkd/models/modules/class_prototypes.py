"""Per-label-set class prototypes (text embeddings) of an open-vocabulary classifier."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS
from ..teachers.text_embedding_cache import cached_text_embeddings


@MODELS.register_module()
class ClassPrototypes(nn.Module):
    """Fixed text embeddings, one [C, D] buffer per named label set (``'id'``, ``'ood'`` …).

    The buffers are saved with the student, so a trained student classifies every label set it was
    given without the teacher. New classes at test time: :meth:`set_prototypes` with their text
    embeddings (same number of classes as configured, or build the head with a new size).
    ``forward(label_set)`` returns the L2-normalised prototypes.

    Args:
        label_sets: ``name -> number of classes``.
        embed_dim: the embedding size D (the teacher's).

    Example:
        >>> bank = ClassPrototypes(dict(id=3), embed_dim=4)
        >>> bank.set_prototypes('id', torch.eye(3, 4))
        >>> bank('id').shape
        torch.Size([3, 4])
    """

    def __init__(self, label_sets: Dict[str, int], embed_dim: int):
        super().__init__()
        if not label_sets:
            raise ValueError('ClassPrototypes needs at least one label set')
        self.label_sets = dict(label_sets)
        self.embed_dim = embed_dim
        for name, num_classes in self.label_sets.items():
            self.register_buffer(f'prototypes_{name}', torch.zeros(num_classes, embed_dim))

    def _buffer(self, label_set: str) -> torch.Tensor:
        if label_set not in self.label_sets:
            raise KeyError(f'unknown label set {label_set!r}; this head has '
                           f'{list(self.label_sets)}')
        return getattr(self, f'prototypes_{label_set}')

    def set_prototypes(self, label_set: str, embeddings: torch.Tensor) -> None:
        buffer = self._buffer(label_set)
        if tuple(embeddings.shape) != tuple(buffer.shape):
            raise ValueError(f'label set {label_set!r}: prototypes of shape '
                             f'{tuple(embeddings.shape)} given, the head expects '
                             f'{tuple(buffer.shape)} (label_sets / embed_dim in the config)')
        buffer.copy_(embeddings.detach())

    def load_texts(self, teacher, texts: Dict[str, Sequence[str]],
                   cache_dir: Optional[str] = None) -> None:
        """Fill every label set with ``teacher``'s (cached) embeddings of its class texts."""
        for label_set, class_texts in texts.items():
            self.set_prototypes(label_set, cached_text_embeddings(teacher, class_texts, cache_dir))

    def forward(self, label_set: str) -> torch.Tensor:
        return F.normalize(self._buffer(label_set), dim=-1)
