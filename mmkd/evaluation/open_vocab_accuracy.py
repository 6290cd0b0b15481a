"""In-distribution and open-vocabulary OOD accuracy, one pair of numbers per label set."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmkd.registry import METRICS


@METRICS.register_module()
class OpenVocabAccuracy(BaseMetric):
    """Top-1 accuracy of every label set (metainfo ``label_set``, e.g. ID and unseen OOD classes),
    each over its own label set only — no union, as in Li et al. (ICCV 2023).

    Reports ``open-vocab/{label_set}_accuracy`` (over samples) and
    ``open-vocab/{label_set}_mean_class_accuracy`` (the mean over classes of per-class accuracy, the paper's number; classes without samples are
    skipped), in percent. Works for a student with a
    :class:`~mmkd.models.heads.TextPrototypeClsHead` and for a teacher wrapped in
    :class:`~mmkd.models.ZeroShotClassifier`.

    Args:
        default_label_set: the label set of samples without the tag.
        collect_device, prefix: as in :class:`mmengine.evaluator.BaseMetric`.

    Example:
        >>> val_evaluator = dict(type='mmkd.OpenVocabAccuracy')
    """

    default_prefix = 'open-vocab'

    def __init__(self, default_label_set: str = 'id', collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.default_label_set = default_label_set

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'pred_label' not in sample or 'gt_label' not in sample:
                raise KeyError(f'sample {sample.get("img_path", "")} lacks pred_label or gt_label')
            self.results.append(dict(
                label_set=sample.get('label_set', self.default_label_set),
                pred=int(sample['pred_label'].reshape(-1)[0]),
                gt=int(sample['gt_label'].reshape(-1)[0])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        by_set = defaultdict(list)
        for result in results:
            by_set[result['label_set']].append((result['pred'], result['gt']))
        metrics = {}
        for label_set, pairs in sorted(by_set.items()):
            pred, gt = np.array(pairs).T
            correct = pred == gt
            per_class = [correct[gt == c].mean() for c in np.unique(gt)]
            metrics[f'{label_set}_accuracy'] = float(correct.mean() * 100)
            metrics[f'{label_set}_mean_class_accuracy'] = float(np.mean(per_class) * 100)
        return metrics
