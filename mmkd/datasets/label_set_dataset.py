"""Concatenate datasets whose samples are classified against different label sets."""
from typing import Any, Sequence

from mmengine.dataset import ConcatDataset

from mmkd.registry import DATASETS


@DATASETS.register_module()
class LabelSetDataset(ConcatDataset):
    """Concatenated parts, each sample tagged with its part's label set (metainfo ``label_set``)
    and its labels optionally shifted into a larger label set.

    An open-vocabulary student is evaluated on the in-distribution classes and on the unseen (OOD)
    classes, each against its own label set (Li et al., ICCV 2023): one validation set holds both
    parts, and :class:`~mmkd.models.heads.TextPrototypeClsHead` and
    :class:`~mmkd.evaluation.OpenVocabAccuracy` read the tag. For 5-shot finetuning the OOD shots
    join the ID training images in the label set ``'all'`` (ID classes first), hence
    ``label_offset``. The parts' class lists differ by design, so only the first part's metainfo
    is kept.

    Args:
        parts: ``dict(dataset=cfg or instance, label_set=name, label_offset=0)`` each.
        lazy_init: as in :class:`mmengine.dataset.ConcatDataset`.

    Example:
        >>> val_dataset = dict(type='mmkd.LabelSetDataset', parts=[
        ...     dict(label_set='id', dataset=dict(
        ...         type='CustomDataset', data_root='data/cub', data_prefix='val_on_train')),
        ...     dict(label_set='ood', dataset=dict(
        ...         type='CustomDataset', data_root='data/cub', data_prefix='val'))])
    """

    def __init__(self, parts: Sequence[dict], lazy_init: bool = False):
        for index, part in enumerate(parts):
            unknown = set(part) - {'dataset', 'label_set', 'label_offset'}
            if 'dataset' not in part or 'label_set' not in part or unknown:
                raise KeyError(f'LabelSetDataset part {index} must be dict(dataset, label_set, '
                               f'label_offset=0); got keys {sorted(part)}')
        self.label_sets = [part['label_set'] for part in parts]
        self.label_offsets = [part.get('label_offset', 0) for part in parts]
        super().__init__([part['dataset'] for part in parts], lazy_init=lazy_init,
                         ignore_keys=['classes'])

    def __getitem__(self, idx: int) -> Any:
        if not self._fully_initialized:
            self.full_init()
        part, sample_idx = self._get_ori_dataset_idx(idx)
        sample = self.datasets[part][sample_idx]
        data_sample = sample['data_samples']
        data_sample.set_metainfo(dict(label_set=self.label_sets[part]))
        if self.label_offsets[part] and 'gt_label' in data_sample:
            data_sample.set_gt_label(data_sample.gt_label + self.label_offsets[part])
        return sample
