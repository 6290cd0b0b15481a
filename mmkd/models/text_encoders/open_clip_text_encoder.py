"""The text tower of an OpenCLIP / OpenAI CLIP model."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils import load_strictly


@MODELS.register_module()
class OpenCLIPTextEncoder(nn.Module):
    """Embed sentences with the text transformer of an ``open_clip`` model.

    The model is built from open_clip's own config (``'RN50'`` is the CLIP RN50 that LGD uses) and
    loaded strictly from a local file; nothing is downloaded.

    Args:
        model_name: an open_clip model config name, e.g. ``'RN50'``, ``'ViT-B-32'``.
        checkpoint: a local ``state_dict`` of the whole CLIP model (``open_clip`` layout), e.g. the
            OpenAI RN50 weights converted by open_clip. ``None`` needs ``allow_random_init``.
        allow_random_init: build without weights (tests; the embeddings are then noise).

    Example:
        >>> encoder = OpenCLIPTextEncoder('RN50', checkpoint=None, allow_random_init=True)
        >>> encoder(['a photo of a dog.']).shape
        torch.Size([1, 1024])
    """

    def __init__(self, model_name: str, checkpoint: Optional[str],
                 allow_random_init: bool = False):
        super().__init__()
        import open_clip
        if checkpoint is None and not allow_random_init:
            raise ValueError(f'OpenCLIPTextEncoder({model_name!r}): give the local `checkpoint` of '
                             'the CLIP weights, or set allow_random_init=True on purpose.')
        self.model = open_clip.create_model(model_name, pretrained=None).eval()
        if checkpoint is not None:
            load_strictly(self.model, checkpoint, f'open_clip {model_name} checkpoint')
        self.tokenizer = open_clip.get_tokenizer(model_name)
        self.name = f'open_clip:{model_name}:{checkpoint or "random-init"}'

    @torch.no_grad()
    def forward(self, texts: List[str]) -> torch.Tensor:
        """L2-normalised embeddings ``[len(texts), D]``."""
        device = next(self.model.parameters()).device
        return F.normalize(self.model.encode_text(self.tokenizer(texts).to(device)).float(), dim=-1)
