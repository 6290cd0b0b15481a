"""How closely a MaKD student's aspect predictions agree with the MLLM's answers."""
from typing import List, Sequence

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric

from mmkd.registry import METRICS


@METRICS.register_module()
class AspectAgreement(BaseMetric):
    """Mean BCE and accuracy at 0.5 of predicted aspect probabilities vs the MLLM targets.

    Reads ``aspect_score`` (set by :class:`~mmkd.models.AspectClsHead` at prediction) and
    ``aspect_targets`` (set by :class:`~mmkd.datasets.transforms.LoadAspectTargets` in the
    evaluation pipeline) of every sample. Reports ``aspect/bce`` (mean over samples and aspects),
    ``aspect/accuracy`` (% of (sample, aspect) pairs where both sides are on the same side of 0.5)
    and ``aspect/mae``. Use it beside mmpretrain's ``Accuracy``::

        val_evaluator = [dict(type='Accuracy', topk=1), dict(type='mmkd.AspectAgreement')]

    Example:
        >>> import torch
        >>> metric = AspectAgreement()
        >>> metric.process(None, [dict(aspect_score=torch.tensor([0.9, 0.2]),
        ...                            aspect_targets=torch.tensor([0.8, 0.6]))])
        >>> metric.evaluate(1)['aspect/accuracy']
        50.0
    """
    default_prefix = 'aspect'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'aspect_score' not in sample or 'aspect_targets' not in sample:
                raise KeyError('AspectAgreement needs `aspect_score` (AspectClsHead) and '
                               '`aspect_targets` (LoadAspectTargets after PackInputs in the '
                               f'evaluation pipeline) in every sample; got {sorted(sample)}')
            self.results.append((torch.as_tensor(sample['aspect_score']).float().cpu(),
                                 torch.as_tensor(sample['aspect_targets']).float().cpu()))

    def compute_metrics(self, results: List[tuple]) -> dict:
        scores = torch.stack([s for s, _ in results])
        targets = torch.stack([t for _, t in results])
        bce = F.binary_cross_entropy(scores.clamp(1e-7, 1 - 1e-7), targets)
        agree = ((scores > 0.5) == (targets > 0.5)).float().mean()
        return dict(bce=bce.item(), accuracy=100 * agree.item(),
                    mae=(scores - targets).abs().mean().item())
