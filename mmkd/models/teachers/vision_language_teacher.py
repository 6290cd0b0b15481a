"""The interface of a vision-language teacher: an image tower and a text tower in one space."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.structures import BaseDataElement

from ..text import BaseTextEncoder
from .base_teacher import BaseTeacher


class VisionLanguageTeacher(BaseTeacher):
    """A frozen image tower and text tower whose embeddings live in one space of size
    :attr:`embed_dim` (CLIP, or an aligned two-tower model).

    ``forward`` returns the record ``'image_embeds'`` ([B, D], not normalised) of the student's
    batch converted to the teacher's convention (:meth:`prepare_inputs`, then
    :meth:`encode_image`); :attr:`text_encoder` (a :class:`~mmkd.models.text.BaseTextEncoder`, or
    ``None`` for a teacher built without its text tower) gives the text side — class banks, caption
    embeddings, CoOp's token path — and :attr:`fingerprint` keys the text banks it makes.

    :attr:`logit_scale` is the teacher's own multiplier of image-text cosine similarities (CLIP's
    learned ``logit_scale.exp()``; a two-tower teacher's ``1 / temperature`` of its fit), or
    ``None`` when it has none.

    Subclasses set ``self.text_encoder`` and ``self.logit_scale`` in ``__init__`` and implement :meth:`encode_image` and :attr:`embed_dim`.
    """

    output_names = ('image_embeds',)

    @property
    def embed_dim(self) -> int:
        raise NotImplementedError

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """[B, 3, H, W] in the teacher's own convention → [B, D]."""
        raise NotImplementedError

    def _text_tower(self) -> BaseTextEncoder:
        if self.text_encoder is None:
            raise RuntimeError(f'{type(self).__name__} was built without its text tower; build it '
                               'with one to encode texts')
        return self.text_encoder

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """Texts → text embeddings [N, D] (no grad, not normalised)."""
        return self._text_tower().encode_text(texts)

    @property
    def fingerprint(self) -> str:
        """The text tower's fingerprint (its kind, settings and tensors): keys text banks."""
        return self._text_tower().fingerprint

    def extract(self, images: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        return dict(image_embeds=self.encode_image(images).float())

    def report(self) -> List[str]:
        return super().report() + [f'embedding size: {self.embed_dim}']
