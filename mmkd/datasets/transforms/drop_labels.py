"""Turn a labelled dataset into unlabelled distillation data."""
from mmcv.transforms import BaseTransform

from mmkd.registry import TRANSFORMS
from ..transfer_set import empty_like


@TRANSFORMS.register_module()
class DropLabels(BaseTransform):
    """Empty every ``gt_*`` field of the packed data sample and mark it ``is_labeled=False``.

    Put it after the packing transform (``PackInputs`` / ``PackDetInputs`` / ``PackSegInputs``).
    The :class:`~mmkd.models.KnowledgeDistiller` then runs only the distillation losses on the
    sample, and no code path can read its label: self-supervised distillation (SEED, LGD) on
    ImageNet or any labelled set as if it had no labels, with the user's dataset unchanged. The
    fields stay, empty (:func:`~mmkd.datasets.transfer_set.empty_like`), so data preprocessors
    that expect them keep working — exactly what :class:`~mmkd.datasets.TransferSetDataset` does to
    the transfer part of a dataset.

    Example:
        >>> pipeline = [dict(type='RandomResizedCrop', scale=224),
        ...             dict(type='PackInputs'), dict(type='mmkd.DropLabels')]
    """

    def transform(self, results: dict) -> dict:
        data_sample = results.get('data_samples')
        if data_sample is None:
            raise KeyError('DropLabels needs a packed `data_samples`: put it after PackInputs '
                           '(or PackDetInputs / PackSegInputs) in the pipeline')
        for key in [k for k in data_sample.keys() if k.startswith('gt_')]:
            setattr(data_sample, key, empty_like(getattr(data_sample, key)))
        data_sample.set_metainfo(dict(is_labeled=False))
        return results
