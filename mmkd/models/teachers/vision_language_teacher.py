"""The interface of a vision-language teacher: an image tower and a text tower in one space."""
import hashlib
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.structures import BaseDataElement

from .base_teacher import BaseTeacher


class VisionLanguageTeacher(BaseTeacher):
    """A frozen image tower and text tower whose embeddings live in one space of size
    :attr:`embed_dim` (CLIP, or an aligned two-tower model).

    ``forward`` returns the record ``'image_embeds'`` ([B, D], not normalised) of the student's
    batch converted to the teacher's preprocessing; :meth:`encode_text` gives the text side (class
    prototypes, caption embeddings). For prompt learning (CoOp) a subclass also exposes its token
    embeddings: :meth:`embed_tokens` and :meth:`encode_token_embeddings`.

    Subclasses implement :meth:`encode_image`, :meth:`tokenize`, :meth:`embed_tokens`,
    :meth:`encode_token_embeddings` and :meth:`text_state_dict` (the text tower's tensors, which make
    :attr:`fingerprint`).
    """

    output_names = ('image_embeds',)
    #: Texts encoded per forward pass of the text tower.
    text_batch_size = 256

    @property
    def embed_dim(self) -> int:
        raise NotImplementedError

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """[B, 3, H, W] in the teacher's own preprocessing → [B, D]."""
        raise NotImplementedError

    def tokenize(self, texts: Sequence[str]) -> Dict[str, torch.Tensor]:
        """Texts → the text tower's token tensors (``input_ids`` and whatever else it needs)."""
        raise NotImplementedError

    def embed_tokens(self, tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Token ids → input token embeddings [C, L, width] (before positions are added)."""
        raise NotImplementedError

    def encode_token_embeddings(self, embeddings: torch.Tensor,
                                tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Input token embeddings (possibly with learned prompt vectors) → text embeddings [C, D].

        Gradients flow to ``embeddings`` (CoOp); the tower's own weights stay frozen.
        """
        raise NotImplementedError

    def text_state_dict(self) -> Dict[str, torch.Tensor]:
        """Every tensor the text embeddings depend on."""
        raise NotImplementedError

    @torch.no_grad()
    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """Texts → text embeddings [C, D] (not normalised), in chunks of :attr:`text_batch_size`."""
        if not texts:
            raise ValueError('encode_text got no texts')
        device = next(self.parameters()).device
        chunks = []
        for start in range(0, len(texts), self.text_batch_size):
            tokens = {k: v.to(device) for k, v in
                      self.tokenize(texts[start:start + self.text_batch_size]).items()}
            chunks.append(self.encode_token_embeddings(self.embed_tokens(tokens), tokens))
        return torch.cat(chunks).float()

    @property
    def fingerprint(self) -> str:
        """SHA-1 of the class name and every text-tower tensor: keys cached text prototypes."""
        digest = hashlib.sha1(type(self).__name__.encode())
        for name, tensor in sorted(self.text_state_dict().items()):
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8)
                          .numpy().tobytes())
        return digest.hexdigest()

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        return dict(image_embeds=self.encode_image(self.prepare_inputs(inputs)).float())

    def report(self) -> List[str]:
        return super().report() + [f'embedding size: {self.embed_dim}']

