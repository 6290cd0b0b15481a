"""The k-shot support set (or the rest, the query set) of a class-per-folder dataset."""
from collections import defaultdict
from typing import List

from mmpretrain.datasets import CustomDataset

from mmkd.registry import DATASETS

PARTS = ('support', 'query')


@DATASETS.register_module()
class FewShotDataset(CustomDataset):
    """mmpretrain's ``CustomDataset`` cut to the first ``shots`` images of every class by sorted
    path (``part='support'``), or to all the other images (``part='query'``).

    Li et al.'s few-shot protocol takes the first 5 files by name of every OOD class as shots and
    tests on the remaining images; the original rebuilt a shared temp directory of symlinks and
    crashed on an undefined name (spec pitfall 1). This is the same selection, in memory.

    Args:
        shots: images per class in the support set.
        part: ``'support'`` or ``'query'``.
        **kwargs: ``CustomDataset`` arguments (``data_root``, ``data_prefix``, ``pipeline`` …).

    Example:
        >>> shots = dict(type='mmkd.FewShotDataset', shots=5, part='support',
        ...              data_root='data/cub', data_prefix='val')
    """

    def __init__(self, shots: int = 5, part: str = 'support', **kwargs):
        if part not in PARTS:
            raise ValueError(f'part must be one of {PARTS}, got {part!r}')
        if shots < 1:
            raise ValueError(f'shots must be >= 1, got {shots}')
        self.shots = shots
        self.part = part
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        by_class = defaultdict(list)
        for index, info in enumerate(data_list):
            by_class[int(info['gt_label'])].append((info['img_path'], index))
        support = set()
        for label, items in sorted(by_class.items()):
            if len(items) < self.shots:
                raise ValueError(f'class {self.CLASSES[label] if self.CLASSES else label} of '
                                 f'{self.data_prefix} has {len(items)} images, fewer than '
                                 f'shots={self.shots}')
            support.update(index for _, index in sorted(items)[:self.shots])
        return [info for index, info in enumerate(data_list)
                if (index in support) == (self.part == 'support')]
