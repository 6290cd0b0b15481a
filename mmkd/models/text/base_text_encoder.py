"""The interface of a frozen text encoder (a text tower) and its fingerprint."""
import hashlib
from typing import Dict, Iterable, Sequence, Tuple

import torch
from torch import nn

from mmkd.utils import FrozenMixin


def tensors_fingerprint(name: str, tensors: Iterable[Tuple[str, torch.Tensor]]) -> str:
    """SHA-1 of ``name`` and every ``(key, tensor)``, in key order, byte for byte.

    Example:
        >>> a = tensors_fingerprint('enc', [('w', torch.ones(2))])
        >>> a == tensors_fingerprint('enc', [('w', torch.ones(2))]) != tensors_fingerprint(
        ...     'enc', [('w', torch.zeros(2))])
        True
    """
    digest = hashlib.sha1(name.encode())
    for key, tensor in sorted(tensors, key=lambda item: item[0]):
        digest.update(key.encode())
        digest.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy()
                      .tobytes())
    return digest.hexdigest()


class BaseTextEncoder(FrozenMixin, nn.Module):
    """A frozen text tower: texts → embeddings ``[N, D]`` (not normalised).

    Frozen like a teacher: no parameter requires grad, and it stays in eval mode through
    ``train()`` (it may sit inside a trained module, e.g. a CoOp prompt learner). For prompt
    learning the token path is open: :meth:`tokenize` → :meth:`embed_tokens` → (replace some token
    embeddings) → :meth:`encode_token_embeddings`, through which gradients reach the embeddings.

    Subclasses implement :meth:`tokenize`, :meth:`embed_tokens`, :meth:`encode_token_embeddings`,
    :attr:`embed_dim` and :attr:`config_id` (what, beyond its tensors, decides its output: pooling,
    maximum length …), then call :meth:`freeze`.
    """

    #: Texts encoded per forward pass.
    text_batch_size = 256

    @property
    def embed_dim(self) -> int:
        raise NotImplementedError

    @property
    def config_id(self) -> str:
        raise NotImplementedError

    def tokenize(self, texts: Sequence[str]) -> Dict[str, torch.Tensor]:
        """Texts → the tower's token tensors (``input_ids`` and whatever else it needs)."""
        raise NotImplementedError

    def embed_tokens(self, tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Token ids → input token embeddings ``[N, L, width]`` (before positions are added)."""
        raise NotImplementedError

    def encode_token_embeddings(self, embeddings: torch.Tensor,
                                tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Input token embeddings (possibly with learned vectors in them) → ``[N, D]``."""
        raise NotImplementedError

    @torch.no_grad()
    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """Texts → embeddings ``[N, D]`` (fp32, not normalised), :attr:`text_batch_size` at a time."""
        texts = list(texts)
        if not texts:
            raise ValueError(f'{type(self).__name__}.encode_text got no texts')
        device = next(self.parameters()).device
        chunks = []
        for start in range(0, len(texts), self.text_batch_size):
            tokens = {k: v.to(device) for k, v in
                      self.tokenize(texts[start:start + self.text_batch_size]).items()}
            chunks.append(self.encode_token_embeddings(self.embed_tokens(tokens), tokens).float())
        return torch.cat(chunks)

    @property
    def fingerprint(self) -> str:
        """SHA-1 of the encoder's kind, :attr:`config_id` and every tensor: keys text banks."""
        return tensors_fingerprint(f'{type(self).__name__}:{self.config_id}',
                                   self.state_dict().items())
