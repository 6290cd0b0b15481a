"""A projection head into a teacher's text-image space that classifies through a text bank."""
from typing import Optional, Tuple

import torch
from mmpretrain.models.heads import ClsHead
from torch import nn

from mmkd.registry import MODELS
from ..text import TextBank
from .text_prototype_head import cosine_logits


@MODELS.register_module()
class ZeroShotClsHead(ClsHead):
    """Project pooled features into the teacher's embedding space; classify by text similarity.

    ``projector`` is SEED's / LGD's student MLP, ``Linear(F, H) → ReLU → Linear(H, D)``
    (``hidden_channels=0``: one ``Linear(F, D)``). With a ``text_bank`` (LGD's Textual Semantics
    Bank) the head's logits are ``logit_scale · normalize(projector(x)) · T_c`` — zero-shot
    classification as LGD evaluates it (``main.py:validate``) — so ``predict`` and the stock
    ``tools/test.py`` with an mmpretrain ``Accuracy`` metric report zero-shot top-1. Without a text
    bank (SEED) ``forward`` returns the embeddings and the head is a projector only.

    The projector lives in the student (not in a distiller connector) so the student-only
    checkpoint carries it and zero-shot evaluation needs nothing but that file and the bank; a
    distiller records its output with ``student_records=dict(embedding='head.projector')``.

    Args:
        in_channels: pooled feature channels F (512 for ResNet-18, 1280 for MobileNetV2 / B0).
        embed_dim: teacher embedding dimension D (1024 for CLIP RN50).
        text_bank: a TSB file (:func:`~mmkd.models.text.build_text_bank`), or ``None``.
        hidden_channels: MLP hidden width; ``None`` → ``in_channels``; ``0`` → a single linear.
        logit_scale: multiplier of the cosine similarities (CLIP's 100).
        loss: the classification loss when labels are given (fine-tuning); distillation does not
            use it.

    Example:
        >>> import torch
        >>> head = ZeroShotClsHead(in_channels=16, embed_dim=8)
        >>> head((torch.randn(2, 16), )).shape
        torch.Size([2, 8])
    """

    def __init__(self,
                 in_channels: int,
                 embed_dim: int,
                 text_bank: Optional[str] = None,
                 hidden_channels: Optional[int] = None,
                 logit_scale: float = 100.0,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: Optional[dict] = None,
                 **kwargs):
        super().__init__(loss=loss, init_cfg=init_cfg, **kwargs)
        hidden = in_channels if hidden_channels is None else hidden_channels
        if hidden:
            self.projector = nn.Sequential(
                nn.Linear(in_channels, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, embed_dim))
        else:
            self.projector = nn.Linear(in_channels, embed_dim)
        self.text_bank = TextBank(path=text_bank) if text_bank else None
        if self.text_bank is not None and self.text_bank.embeddings.shape[1] != embed_dim:
            raise ValueError(f'ZeroShotClsHead: text bank {text_bank!r} has dim '
                             f'{self.text_bank.embeddings.shape[1]}, embed_dim is {embed_dim}')
        self.logit_scale = logit_scale

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """The projected embedding of the last stage's pooled feature."""
        return self.projector(feats[-1])

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Zero-shot logits ``[N, C]`` with a text bank, else the embeddings ``[N, D]``."""
        embeddings = self.pre_logits(feats)
        if self.text_bank is None:
            return embeddings
        return cosine_logits(embeddings, self.text_bank.embeddings, 1 / self.logit_scale)

    def predict(self, feats, data_samples=None):
        if self.text_bank is None:
            raise RuntimeError('ZeroShotClsHead without a text_bank only projects; give it a TSB '
                               'file to classify zero-shot')
        return super().predict(feats, data_samples)
