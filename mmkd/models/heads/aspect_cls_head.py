"""MaKD's student head: C class logits plus Q aspect logits from one linear layer."""
from typing import List, Optional, Tuple

import torch
from mmpretrain.models.heads import ClsHead
from mmpretrain.structures import DataSample
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module


@MODELS.register_module()
class AspectClsHead(ClsHead):
    """A linear classification head grown from C to C+Q outputs (MaKD, Lee et al. 2025).

    The first C outputs are class logits, trained with the usual classification loss (``loss``,
    cross-entropy of weight λ_ce=1 by default); the last Q are aspect logits, trained with
    :class:`~mmkd.models.AspectBCELoss` (weight α=4) against the MLLM's yes-probabilities, which
    :class:`~mmkd.datasets.transforms.LoadAspectTargets` (placed after ``PackInputs``) puts into
    each data sample as ``aspect_targets``.

    ``predict`` scores the C classes only — the original code took the argmax over all C+Q outputs,
    so an aspect output could win and count as an error — and puts ``sigmoid`` of the aspect logits
    into each data sample as ``aspect_score`` (read by :class:`~mmkd.evaluation.AspectAgreement`).
    ``forward`` (the ``tensor`` mode) returns all C+Q logits.

    Args:
        num_classes: C.
        num_aspects: Q, the number of aspect questions.
        in_channels: feature channels of the neck (e.g. 512 for ResNet-18 + GAP).
        loss: the class loss (mmpretrain config).
        aspect_loss: the aspect loss (mmkd config).
        target_key: data-sample field holding the [Q] targets.
        topk, cal_acc, init_cfg: as in mmpretrain's ``LinearClsHead``.

    Example:
        >>> import torch
        >>> from mmpretrain.structures import DataSample
        >>> head = AspectClsHead(num_classes=10, num_aspects=4, in_channels=16)
        >>> samples = [DataSample(aspect_targets=torch.rand(4)).set_gt_label(1) for _ in range(2)]
        >>> sorted(head.loss((torch.randn(2, 16),), samples))
        ['loss_aspect', 'loss_cls']
        >>> head.predict((torch.randn(2, 16),))[0].pred_score.shape
        torch.Size([10])
    """

    def __init__(self,
                 num_classes: int,
                 num_aspects: int,
                 in_channels: int,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 aspect_loss: dict = dict(type='AspectBCELoss', loss_weight=4.0),
                 target_key: str = 'aspect_targets',
                 topk: Tuple[int, ...] = (1, ),
                 cal_acc: bool = False,
                 init_cfg: Optional[dict] = dict(type='Normal', layer='Linear', std=0.01)):
        super().__init__(loss=loss, topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        if num_classes <= 0 or num_aspects <= 0:
            raise ValueError(f'num_classes ({num_classes}) and num_aspects ({num_aspects}) '
                             'must be positive')
        self.num_classes = num_classes
        self.num_aspects = num_aspects
        self.target_key = target_key
        self.aspect_loss = build_mmkd_module(aspect_loss)
        self.fc = nn.Linear(in_channels, num_classes + num_aspects)

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """All C+Q logits, ``[N, C+Q]``."""
        return self.fc(self.pre_logits(feats))

    def split(self, logits: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(class logits [N, C], aspect logits [N, Q])``."""
        return logits[:, :self.num_classes], logits[:, self.num_classes:]

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        class_logits, aspect_logits = self.split(self(feats))
        # `loss_cls`, not mmpretrain's bare `loss`: MMEngine logs the optimised total as `loss`
        losses = dict(loss_cls=self._get_loss(class_logits, data_samples, **kwargs)['loss'])
        losses['loss_aspect'] = self.aspect_loss(aspect_logits,
                                                 self._targets(data_samples, aspect_logits))
        return losses

    def _targets(self, data_samples: List[DataSample], like: torch.Tensor) -> torch.Tensor:
        missing = [s.metainfo.get('img_path', s.metainfo.get('sample_idx'))
                   for s in data_samples if self.target_key not in s]
        if missing:
            raise KeyError(f'AspectClsHead: samples {missing[:5]} have no {self.target_key!r}; '
                           'add mmkd.LoadAspectTargets after the packing transform of the '
                           'train pipeline')
        return torch.stack([torch.as_tensor(s.get(self.target_key)) for s in data_samples]).to(
            like)

    def predict(self, feats: Tuple[torch.Tensor],
                data_samples: Optional[List[Optional[DataSample]]] = None) -> List[DataSample]:
        class_logits, aspect_logits = self.split(self(feats))
        predictions = self._get_predictions(class_logits, data_samples)
        for sample, score in zip(predictions, aspect_logits.sigmoid()):
            sample.set_field(score.detach(), 'aspect_score')
        return predictions
