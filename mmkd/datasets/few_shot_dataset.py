"""Few-shot data: the k-shot support set of a class-per-folder dataset, and batches that mix a
fixed number of shots into every batch of base-class images."""
import math
from collections import defaultdict
from typing import Iterator, List, Optional

import torch
from mmengine.dataset import ConcatDataset
from mmengine.dist import get_dist_info
from mmpretrain.datasets import CustomDataset
from torch.utils.data import Sampler

from mmkd.registry import DATA_SAMPLERS, DATASETS

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


@DATA_SAMPLERS.register_module()
class FewShotBatchSampler(Sampler):
    """Batches of ``batch_size`` base images plus ``num_shots`` shots drawn afresh for each batch.

    Li et al.'s ``FewShotSampler``: during few-shot finetuning every batch holds 64 images of the
    ID training set and 64 of the OOD shots, drawn at random without replacement from all shots
    (5 per OOD class, so more than 64); an epoch is one pass over the ID images. The dataset is a
    :class:`~mmengine.dataset.ConcatDataset` (e.g. :class:`~mmkd.datasets.LabelSetDataset`) whose
    part ``shot_part`` holds the shots; the base images are all other parts.

    Base images are shuffled with the runner's sampler seed and epoch (``DistSamplerSeedHook``
    sets it) and split across ranks as ``DefaultSampler`` does (padded to equal shares); each
    rank draws its own shots. Give it in a dataloader config as
    ``batch_sampler=dict(type='mmkd.FewShotBatchSampler', num_shots=64)`` with
    ``batch_size=64``: the batch is then 128 images.

    Args:
        sampler: the dataloader's sampler (built by the runner); its ``dataset``, ``seed``,
            ``epoch`` and ``shuffle`` are used.
        batch_size: base images per batch.
        num_shots: shots per batch (all shots when there are fewer); defaults to ``batch_size``.
        shot_part: index of the shots part in the concatenated dataset (default: the last).
        drop_last: drop an incomplete last batch of base images.

    Example:
        >>> from mmengine.dataset import BaseDataset, ConcatDataset, DefaultSampler
        >>> class Toy(BaseDataset):
        ...     def load_data_list(self):
        ...         return [dict(index=i) for i in range(self.metainfo['size'])]
        >>> dataset = ConcatDataset([Toy(metainfo=dict(size=200)), Toy(metainfo=dict(size=10))],
        ...                         ignore_keys=['size'])
        >>> batches = list(FewShotBatchSampler(DefaultSampler(dataset), 64, num_shots=8))
        >>> [len(batch) for batch in batches]  # 200 base images + 8 shots a batch
        [72, 72, 72, 16]
        >>> shots = [i for i in batches[0] if i >= 200]
        >>> len(set(shots)), len(shots)  # without replacement within a batch
        (8, 8)
    """

    def __init__(self, sampler: Sampler, batch_size: int, num_shots: Optional[int] = None,
                 shot_part: int = -1, drop_last: bool = False):
        dataset = getattr(sampler, 'dataset', None)
        if not isinstance(dataset, ConcatDataset):
            raise TypeError('FewShotBatchSampler needs a ConcatDataset (e.g. mmkd.LabelSetDataset) '
                            f'whose part {shot_part} holds the shots; got '
                            f'{type(dataset).__name__}')
        if batch_size < 1 or (num_shots is not None and num_shots < 1):
            raise ValueError(f'FewShotBatchSampler: batch_size ({batch_size}) and num_shots '
                             f'({num_shots}) must be >= 1')
        dataset.full_init()
        bounds = [0, *dataset.cumulative_sizes]
        parts = list(range(len(dataset.datasets)))
        shot_part = parts[shot_part]
        self.shot_indices = torch.arange(bounds[shot_part], bounds[shot_part + 1])
        self.base_indices = torch.cat([torch.arange(bounds[p], bounds[p + 1])
                                       for p in parts if p != shot_part])
        if not len(self.shot_indices) or not len(self.base_indices):
            raise ValueError(f'FewShotBatchSampler: {len(self.shot_indices)} shots and '
                             f'{len(self.base_indices)} base images; both must be non-empty')
        self.sampler = sampler
        self.batch_size = batch_size
        self.num_shots = min(num_shots or batch_size, len(self.shot_indices))
        self.drop_last = drop_last
        self.rank, self.world_size = get_dist_info()
        self.num_base = math.ceil(len(self.base_indices) / self.world_size)

    def _generator(self, offset: int) -> torch.Generator:
        seed = getattr(self.sampler, 'seed', 0) + getattr(self.sampler, 'epoch', 0)
        return torch.Generator().manual_seed(seed * 1000 + offset)

    def __iter__(self) -> Iterator[List[int]]:
        base = self.base_indices
        if getattr(self.sampler, 'shuffle', True):
            base = base[torch.randperm(len(base), generator=self._generator(0))]
        base = base.repeat(math.ceil(self.num_base * self.world_size / len(base)))
        base = base[:self.num_base * self.world_size][self.rank::self.world_size]
        shots = self._generator(1 + self.rank)
        for start in range(0, self.num_base, self.batch_size):
            batch = base[start:start + self.batch_size]
            if self.drop_last and len(batch) < self.batch_size:
                return
            drawn = torch.randperm(len(self.shot_indices), generator=shots)[:self.num_shots]
            yield batch.tolist() + self.shot_indices[drawn].tolist()

    def __len__(self) -> int:
        if self.drop_last:
            return self.num_base // self.batch_size
        return math.ceil(self.num_base / self.batch_size)
