"""The multi-label F1 of L2D's evaluation: each image predicts as many labels as it truly has."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmpretrain.structures import label_to_onehot

from mmkd.registry import METRICS


def oracle_topk_predictions(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """[N, C] 0/1 predictions: image ``i`` with ``k_i`` true labels predicts the labels whose score
    is strictly above its ``(k_i + 1)``-th largest score (all labels when ``k_i = C``)."""
    num_true = targets.sum(dim=1).long()
    ranked = scores.sort(dim=1, descending=True).values
    padded = torch.cat([ranked, ranked.new_full((len(ranked), 1), float('-inf'))], dim=1)
    thresholds = padded.gather(1, num_true.unsqueeze(1))
    return (scores > thresholds).long()


def precision_recall_f1(predictions: torch.Tensor, targets: torch.Tensor) -> Dict[str, float]:
    """CP/CR/CF1 (means of per-class values, sklearn ``macro``; 0 where undefined) and OP/OR/OF1
    (micro), in percent."""
    targets = targets.long()
    true_pos = (predictions * targets).sum(dim=0).double()
    false_pos = (predictions * (1 - targets)).sum(dim=0).double()
    false_neg = ((1 - predictions) * targets).sum(dim=0).double()

    def ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
        return torch.where(den > 0, num / den.clamp(min=1), torch.zeros_like(num))

    per_class_f1 = ratio(2 * true_pos, 2 * true_pos + false_pos + false_neg)
    tp, fp, fn = true_pos.sum(), false_pos.sum(), false_neg.sum()
    return {
        'CP': 100 * ratio(true_pos, true_pos + false_pos).mean().item(),
        'CR': 100 * ratio(true_pos, true_pos + false_neg).mean().item(),
        'CF1': 100 * per_class_f1.mean().item(),
        'OP': 100 * ratio(tp, tp + fp).item(),
        'OR': 100 * ratio(tp, tp + fn).item(),
        'OF1': 100 * ratio(2 * tp, 2 * tp + fp + fn).item(),
    }


@METRICS.register_module()
class OracleTopKF1(BaseMetric):
    """L2D's CF1 / OF1: per-image top-k with ``k`` the image's number of ground-truth labels.

    This reads the test labels to choose ``k`` (an "oracle"), so its numbers are **not** comparable
    with thresholded F1s; report it beside mmpretrain's ``MultiLabelMetric`` (``thr=0.5``), which
    gives the usual CP/CR/CF1 (``average='macro'``) and OP/OR/OF1 (``average='micro'``). CF1 is the
    mean of per-class F1s, as sklearn's ``f1_score(average='macro')`` in penghui-yang/L2D
    ``evaluate.py``; OF1 is the micro F1. Keys: ``oracle-top-k/{CP,CR,CF1,OP,OR,OF1}`` in percent.

    Example:
        >>> import torch
        >>> from mmpretrain.structures import DataSample
        >>> metric = OracleTopKF1()
        >>> metric.process(None, [DataSample().set_pred_score(torch.tensor([.9, .2, .6]))
        ...                       .set_gt_label([0, 2]).to_dict()])
        >>> metric.evaluate(1)['oracle-top-k/OF1']
        100.0
    """

    default_prefix: Optional[str] = 'oracle-top-k'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            scores = sample['pred_score'].detach().cpu()
            targets = (sample['gt_score'].detach().cpu() > 0).long() if 'gt_score' in sample \
                else label_to_onehot(sample['gt_label'].cpu(), scores.numel())
            self.results.append((scores, targets))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = torch.stack([scores for scores, _ in results])
        targets = torch.stack([targets for _, targets in results])
        return precision_recall_f1(oracle_topk_predictions(scores, targets), targets)
