"""A labelled set plus an unlabelled transfer set, for distillation with few labels."""
from typing import Any, Union

import torch
from mmengine.dataset import BaseDataset, ConcatDataset
from mmengine.structures import InstanceData, PixelData

from mmkd.registry import DATASETS

#: The value segmentation losses and metrics ignore (mmseg's default ``ignore_index``).
IGNORE_INDEX = 255


def empty_like(value: Any) -> Any:
    """The same ground-truth structure holding no label: no rows, no instances, all-ignore pixels.

    The structure stays so that batch collation and data preprocessors that expect every sample
    of a batch to carry the field (mmpretrain's ``ClsDataPreprocessor`` does) keep working.
    """
    if isinstance(value, torch.Tensor):
        return value.new_empty((0, *value.shape[1:]))
    if isinstance(value, InstanceData):
        return value[torch.zeros(0, dtype=torch.long)]
    if isinstance(value, PixelData):
        return PixelData(**{k: torch.full_like(v, IGNORE_INDEX) for k, v in value.items()})
    raise TypeError(f'TransferSetDataset cannot empty a ground-truth field of type '
                    f'{type(value).__name__}')


@DATASETS.register_module()
class TransferSetDataset(ConcatDataset):
    """Concatenate a labelled dataset and a transfer set whose labels are dropped.

    Samples of the transfer part come out of their pipeline with every ``gt_*`` field of their data
    sample emptied (:func:`empty_like`: a label tensor with no entries, no instances, a map of
    ignored pixels) and ``is_labeled=False`` in its metainfo: the
    :class:`~mmkd.models.KnowledgeDistiller` gives them distillation losses only, and no code path
    can read their labels by accident. Hinton et al.'s transfer-set protocol, and the measured
    Fashion-MNIST demo of mmkd, are built on it. Batch augmentations that mix samples (mixup,
    cutmix) would mix these empty labels into labelled ones: leave them off with transfer sets.

    Args:
        labeled: the labelled dataset (config or instance), e.g. the first 1000 training images
            via ``indices=1000``.
        transfer: the transfer set (config or instance), e.g. the last 10 000 via ``indices=-10000``.
        lazy_init: as in :class:`mmengine.dataset.ConcatDataset`.

    Example:
        >>> train_dataloader = dict(dataset=dict(
        ...     type='mmkd.TransferSetDataset',
        ...     labeled=dict(type='FashionMNIST', data_root='data/fashion_mnist', indices=1000),
        ...     transfer=dict(type='FashionMNIST', data_root='data/fashion_mnist', indices=-10000)))
    """

    def __init__(self, labeled: Union[BaseDataset, dict], transfer: Union[BaseDataset, dict],
                 lazy_init: bool = False):
        super().__init__([labeled, transfer], lazy_init=lazy_init)

    @property
    def num_labeled(self) -> int:
        return len(self.datasets[0])

    def __getitem__(self, idx: int) -> Any:
        if not self._fully_initialized:
            self.full_init()
        dataset_idx, sample_idx = self._get_ori_dataset_idx(idx)
        sample = self.datasets[dataset_idx][sample_idx]
        if dataset_idx == 1:
            data_sample = sample['data_samples']
            for key in [k for k in data_sample.keys() if k.startswith('gt_')]:
                setattr(data_sample, key, empty_like(getattr(data_sample, key)))
            data_sample.set_metainfo(dict(is_labeled=False))
        return sample
