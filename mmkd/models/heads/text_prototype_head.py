"""A classification head that projects into a teacher's vision-language space and classifies by
cosine similarity to text prototypes (Li et al., ICCV 2023)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.models.heads import ClsHead
from mmpretrain.structures import DataSample
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module


def cosine_logits(embeds: torch.Tensor, prototypes: torch.Tensor,
                  temperature: float) -> torch.Tensor:
    """``normalize(embeds) @ normalize(prototypes).T / temperature``, [B, C]: the logits of every
    head (and classifier) that classifies by cosine similarity to class embeddings."""
    return F.normalize(embeds, dim=-1) @ F.normalize(prototypes, dim=-1).t() / temperature


@MODELS.register_module()
class TextPrototypeClsHead(ClsHead):
    """Linear projection of backbone features into the teacher's embedding space (D) and
    classification by cosine similarity to class text prototypes, ``s_hat · w_hat_c / tau``.

    Its task loss (``loss``, CrossEntropy on these logits) is the paper's **L-cls**. The projection
    output is the student embedding ``s`` every distillation loss uses (record ``head.projection``);
    the training label set's normalised prototypes are the output of ``head.prototypes`` (record it
    as the text side of L-vlalign). Prototypes are buffers per label set, filled by
    :class:`~mmkd.models.VisionLanguageDistiller` from the teacher's text tower and saved with the
    student; at prediction each sample is classified against the label set named in its metainfo
    ``label_set`` (default ``train_label_set``), so one model evaluates ID and OOD classes.

    Differences from the original: the projection is trunc-normal initialised (the original's
    zero-init ViT head makes ``normalize(0)`` blow up under SGD, spec pitfall 9).

    Args:
        in_channels: backbone feature channels (after the neck).
        embed_dim: the teacher's embedding size D.
        label_sets: ``name -> number of classes``, e.g. ``dict(id=100, ood=100)``.
        train_label_set: the label set of the training labels.
        temperature: tau of the logits (0.07 as in the original, not CLIP's 0.01).
        prototypes: the prototype module: ``None`` for fixed text prototypes
            (:class:`~mmkd.models.text.TextBank`), or e.g.
            ``dict(type='CoOpPromptLearner', context_width=512)``.
        loss: the classification loss on the cosine logits.

    Example:
        >>> head = TextPrototypeClsHead(in_channels=8, embed_dim=4, label_sets=dict(id=3, ood=2))
        >>> head.prototypes.set_embeddings('id', torch.randn(3, 4))
        >>> head((torch.randn(5, 8),)).shape
        torch.Size([5, 3])
    """

    def __init__(self,
                 in_channels: int,
                 embed_dim: int,
                 label_sets: Dict[str, int],
                 train_label_set: str = 'id',
                 temperature: float = 0.07,
                 prototypes: Optional[dict] = None,
                 loss: dict = dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
                 init_cfg: Optional[dict] = dict(type='TruncNormal', layer='Linear', std=0.02),
                 **kwargs):
        super().__init__(loss=loss, init_cfg=init_cfg, **kwargs)
        if train_label_set not in label_sets:
            raise KeyError(f'train_label_set {train_label_set!r} is not in label_sets '
                           f'{list(label_sets)}')
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.train_label_set = train_label_set
        self.temperature = temperature
        self.projection = nn.Linear(in_channels, embed_dim)
        prototypes = dict(prototypes or dict(type='TextBank'))
        self.prototypes = build_mmkd_module(
            prototypes, label_sets=dict(label_sets), embed_dim=embed_dim)

    def embed(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """The student embedding ``s`` [B, D] (not normalised)."""
        return self.projection(self.pre_logits(feats))

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Cosine logits over the training label set, [B, C_train]."""
        return cosine_logits(self.embed(feats), self.prototypes(self.train_label_set),
                             self.temperature)

    def predict(self, feats: Tuple[torch.Tensor],
                data_samples: Optional[List[Optional[DataSample]]] = None) -> List[DataSample]:
        """Scores over each sample's own label set (metainfo ``label_set``)."""
        embeds = self.embed(feats)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(embeds.size(0))]
        data_samples = [s if s is not None else DataSample() for s in data_samples]
        label_sets = [s.metainfo.get('label_set', self.train_label_set) for s in data_samples]
        for label_set in set(label_sets):
            index = [i for i, name in enumerate(label_sets) if name == label_set]
            scores = cosine_logits(embeds[index], self.prototypes(label_set),
                                   self.temperature).softmax(dim=1)
            for i, score in zip(index, scores):
                data_samples[i].set_pred_score(score).set_pred_label(score.argmax(keepdim=True))
        return data_samples
