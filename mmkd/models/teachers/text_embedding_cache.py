"""Text embeddings of a teacher, computed once and cached on disk."""
import hashlib
import os
import os.path as osp
from typing import Optional, Sequence

import torch

from .vision_language_teacher import VisionLanguageTeacher


def cached_text_embeddings(teacher: VisionLanguageTeacher, texts: Sequence[str],
                           cache_dir: Optional[str] = None) -> torch.Tensor:
    """``teacher.encode_text(texts)`` ([C, D], CPU), read from ``cache_dir`` when computed before.

    The file is keyed by the teacher's :attr:`~VisionLanguageTeacher.fingerprint` (its text-tower
    weights) and the exact texts, so a changed prompt, description file or teacher never reuses
    stale prototypes. Written atomically; ``cache_dir=None`` disables the cache.

    Example:
        >>> # embeds = cached_text_embeddings(teacher, ['a photo of a cat'], 'work_dirs/text_cache')
    """
    texts = list(texts)
    if cache_dir is None:
        return teacher.encode_text(texts).cpu()
    key = hashlib.sha1('\n'.join([teacher.fingerprint, *texts]).encode()).hexdigest()
    path = osp.join(cache_dir, f'text_embeds_{key[:20]}.pt')
    if osp.isfile(path):
        cached = torch.load(path, map_location='cpu', weights_only=True)
        if cached['texts'] == texts:
            return cached['embeddings']
    embeddings = teacher.encode_text(texts).cpu()
    os.makedirs(cache_dir, exist_ok=True)
    torch.save(dict(texts=texts, embeddings=embeddings), path + '.tmp')
    os.replace(path + '.tmp', path)
    return embeddings
