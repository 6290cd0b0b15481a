"""A multi-label head with one embedding per class: ML-Decoder's label queries over spatial features."""
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmpretrain.models.heads import MultiLabelClsHead
from torch import nn

from mmkd.registry import MODELS


class LabelQueryDecoder(nn.Module):
    """Cross-attention of ``C`` fixed label queries over the spatial positions of a feature map.

    One post-norm decoder layer without self-attention among the queries (ML-Decoder, as used by
    L2D): with ``X = ReLU(Linear(tokens))`` and the queries ``Q`` [C, D],

    * ``t0 = LN1(Q + Dropout(Q))``
    * ``t1 = LN2(t0 + Dropout(MHA(t0, X, X)))``
    * ``e  = LN3(t1 + Dropout(W2 · Dropout(ReLU(W1 · t1))))``, the label-wise embeddings [N, C, D].

    ``Q`` is drawn from N(0, 1) once and kept fixed: it is a persistent buffer (saved with the
    model, never optimised).

    Args:
        in_channels: channels of the backbone's last feature map.
        num_classes: number of label queries ``C``.
        embed_dims: embedding size ``D``.
        num_heads: attention heads.
        ffn_dims: hidden width of the feed-forward block.
        dropout: dropout rate of every dropout above.

    Example:
        >>> import torch
        >>> decoder = LabelQueryDecoder(512, num_classes=20, embed_dims=64, num_heads=4)
        >>> decoder(torch.randn(2, 512, 7, 7)).shape
        torch.Size([2, 20, 64])
    """

    def __init__(self, in_channels: int, num_classes: int, embed_dims: int = 768,
                 num_heads: int = 8, ffn_dims: int = 2048, dropout: float = 0.1):
        super().__init__()
        self.input_proj = nn.Linear(in_channels, embed_dims)
        self.register_buffer('queries', torch.randn(num_classes, embed_dims))
        self.query_dropout = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(embed_dims)
        self.cross_attn = nn.MultiheadAttention(embed_dims, num_heads, dropout=dropout,
                                                batch_first=True)
        self.attn_dropout = nn.Dropout(dropout)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dims, ffn_dims), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(ffn_dims, embed_dims))
        self.ffn_dropout = nn.Dropout(dropout)
        self.norm3 = nn.LayerNorm(embed_dims)

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """``feat`` [N, in_channels, H, W] (or tokens [N, L, in_channels]) -> e [N, C, D]."""
        tokens = feat.flatten(2).transpose(1, 2) if feat.dim() == 4 else feat
        memory = torch.relu(self.input_proj(tokens))
        queries = self.queries.unsqueeze(0).expand(memory.size(0), -1, -1)
        t0 = self.norm1(queries + self.query_dropout(queries))
        attended, _ = self.cross_attn(t0, memory, memory, need_weights=False)
        t1 = self.norm2(t0 + self.attn_dropout(attended))
        return self.norm3(t1 + self.ffn_dropout(self.ffn(t1)))


@MODELS.register_module()
class MLDecoderClsHead(MultiLabelClsHead):
    """Multi-label head that computes label-wise embeddings and, from them, one logit per class.

    The last backbone feature map (no global pooling: backbone ``out_indices=(3,)`` and no neck)
    goes through :class:`LabelQueryDecoder`, giving ``e`` [N, C, D]; the logit of class ``c`` is
    ``z_c = <e_c, w_c> + b_c`` with its own weight row ``w_c`` (xavier-normal init, ``b = 0``).
    Loss, thresholds and predictions are :class:`MultiLabelClsHead`'s.

    Both tensors are reachable for distillation: the head's output (``'head'``) is the logits, the
    output of its submodule ``'head.decoder'`` is the embeddings, and
    :meth:`forward_with_embeddings` returns both.

    Args:
        num_classes: number of classes ``C``.
        in_channels: channels of the backbone's last feature map (2048 for ResNet-101, 512 for
            ResNet-34).
        embed_dims, num_heads, ffn_dims, dropout: see :class:`LabelQueryDecoder` (L2D: 768, 8,
            2048, 0.1).
        loss, thr, topk, init_cfg: as in :class:`MultiLabelClsHead`.

    Example:
        >>> import torch
        >>> head = MLDecoderClsHead(num_classes=20, in_channels=512, embed_dims=64, num_heads=4)
        >>> embeddings, logits = head.forward_with_embeddings((torch.randn(2, 512, 7, 7),))
        >>> embeddings.shape, logits.shape
        (torch.Size([2, 20, 64]), torch.Size([2, 20]))
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 embed_dims: int = 768,
                 num_heads: int = 8,
                 ffn_dims: int = 2048,
                 dropout: float = 0.1,
                 loss: Dict = dict(type='CrossEntropyLoss', use_sigmoid=True),
                 thr: Optional[float] = None,
                 topk: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(loss=loss, thr=thr, topk=topk, init_cfg=init_cfg)
        self.num_classes = num_classes
        self.decoder = LabelQueryDecoder(in_channels, num_classes, embed_dims, num_heads,
                                         ffn_dims, dropout)
        self.class_weight = nn.Parameter(torch.empty(num_classes, embed_dims))
        self.class_bias = nn.Parameter(torch.zeros(num_classes))
        nn.init.xavier_normal_(self.class_weight)

    def pre_logits(self, feats: Sequence[torch.Tensor]) -> torch.Tensor:
        """The label-wise embeddings e [N, C, D] of the last feature map."""
        return self.decoder(feats[-1])

    def forward_with_embeddings(
            self, feats: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(e [N, C, D], logits [N, C])``."""
        embeddings = self.pre_logits(feats)
        logits = (embeddings * self.class_weight).sum(dim=-1) + self.class_bias
        return embeddings, logits

    def forward(self, feats: Sequence[torch.Tensor]) -> torch.Tensor:
        """The class logits [N, C]."""
        return self.forward_with_embeddings(feats)[1]
